import { spawn } from "node:child_process";
import { AppError } from "../errors";

/** Largest attachment accepted (413 above). Server actions are allowed a little more (next.config.ts). */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENTS_PER_ANSWER = 5;

/**
 * The file types an answer may carry, by extension, with the bytes each must start with. HTML,
 * SVG and anything else a browser would render or run are refused (415), whatever the client says.
 */
const kinds: Record<string, { type: string; magic?: Buffer[]; text?: boolean }> = {
  pdf: { type: "application/pdf", magic: [Buffer.from("%PDF-")] },
  png: { type: "image/png", magic: [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])] },
  jpg: { type: "image/jpeg", magic: [Buffer.from([0xff, 0xd8, 0xff])] },
  jpeg: { type: "image/jpeg", magic: [Buffer.from([0xff, 0xd8, 0xff])] },
  zip: { type: "application/zip", magic: [Buffer.from("PK\x03\x04", "latin1"), Buffer.from("PK\x05\x06", "latin1")] },
  xlsx: { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", magic: [Buffer.from("PK\x03\x04", "latin1")] },
  docx: { type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", magic: [Buffer.from("PK\x03\x04", "latin1")] },
  txt: { type: "text/plain; charset=utf-8", text: true },
  csv: { type: "text/csv; charset=utf-8", text: true },
  json: { type: "application/json", text: true },
  log: { type: "text/plain; charset=utf-8", text: true },
  md: { type: "text/plain; charset=utf-8", text: true },
};
export const allowedExtensions = Object.keys(kinds);

/** A name safe in a header and on any file system: letters, digits, dot, dash, underscore; at most 100 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = base.normalize("NFKD").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "").slice(-100);
  return cleaned || "attachment";
}

const looksLikeMarkup = (head: string) => /<\s*(!doctype|html|script|svg|iframe|body|head|meta|object|embed)\b/i.test(head);

/**
 * Checks one upload: size (413), type by extension and by its first bytes (415), text that is
 * UTF-8 and not markup (415). Returns the stored name and the content type it will be served with.
 */
export function checkAttachment(file: { name: string; data: Buffer }): { fileName: string; contentType: string } {
  if (file.data.length > ATTACHMENT_MAX_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `attachment ${safeFileName(file.name)}: larger than ${ATTACHMENT_MAX_BYTES} bytes`);
  if (file.data.length === 0) throw new AppError("VALIDATION", `attachment ${safeFileName(file.name)}: empty`);
  const fileName = safeFileName(file.name);
  const ext = fileName.includes(".") ? (fileName.split(".").pop() ?? "").toLowerCase() : "";
  const kind = kinds[ext];
  if (!kind) throw new AppError("UNSUPPORTED_MEDIA_TYPE", `attachment ${fileName}: only ${allowedExtensions.join(", ")} files`);
  if (kind.magic && !kind.magic.some((m) => file.data.subarray(0, m.length).equals(m))) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", `attachment ${fileName}: its content is not ${ext}`);
  }
  if (kind.text) {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(file.data.subarray(0, 4096));
    if (text.includes("\uFFFD") || text.includes("\u0000")) throw new AppError("UNSUPPORTED_MEDIA_TYPE", `attachment ${fileName}: not UTF-8 text`);
    if (looksLikeMarkup(text)) throw new AppError("UNSUPPORTED_MEDIA_TYPE", `attachment ${fileName}: HTML or other markup is not accepted`);
  }
  return { fileName, contentType: kind.type };
}

/**
 * The virus-scan hook: with CUSTODY_ATTACHMENT_SCAN_COMMAND set (e.g. `clamdscan --no-summary -`),
 * every attachment is piped to it before it is stored; any exit but 0 refuses the upload (400).
 * docs/operators.md explains how to set it up.
 */
export async function scanAttachment(data: Buffer, command = process.env.CUSTODY_ATTACHMENT_SCAN_COMMAND): Promise<void> {
  if (!command?.trim()) return;
  const [bin, ...args] = command.trim().split(/\s+/);
  if (!bin) return;
  const code = await new Promise<number>((resolve) => {
    const child = spawn(bin, args, { stdio: ["pipe", "ignore", "ignore"] });
    child.on("error", () => resolve(-1));
    child.on("close", (c) => resolve(c ?? -1));
    child.stdin.on("error", () => undefined);
    child.stdin.end(data);
  });
  if (code === -1) throw new AppError("UNAVAILABLE", "attachment: the virus scanner could not be run; nothing was stored");
  if (code !== 0) throw new AppError("VALIDATION", "attachment: refused by the virus scanner");
}

/** Headers that make every attachment a download, never a page: no inline rendering, no sniffing. */
export function downloadHeaders(fileName: string, contentType: string, bytes: number): Record<string, string> {
  const name = safeFileName(fileName);
  return {
    "content-type": contentType,
    "content-length": String(bytes),
    "content-disposition": `attachment; filename="${name}"`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, no-store",
  };
}
