import type { Database } from "@/db/client";
import type { Engagement } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { Permission } from "../auth/permissions";
import { authorize } from "../auth/request";
import { clientMeta } from "../auth/sign-in";
import type { Actor } from "../auth/users";
import { AppError } from "../errors";
import { parseJson, readBytes, refuseUnstorable } from "../http/body";
import { engagementFor, type Viewer } from "./access";
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_ANSWER } from "./attachments";
import { parseId } from "./input";
import type { Upload } from "./requests";

/** A signed-in person allowed `permission`; engagement routes take no machine tokens. */
export async function engagementCaller(db: Database, req: Request, permission: Permission): Promise<{ viewer: Viewer; actor: Actor }> {
  const p = await authorize(db, req, permission);
  if (p.kind !== "user") throw new AppError("FORBIDDEN", "engagements are for people signed in, not API tokens");
  return { viewer: p.session.user, actor: { actor: p.name, actorType: "user", ip: clientMeta(req).ip } };
}

/** The caller and the engagement in the path, as the caller may see it (another auditor's: 404). */
export async function engagementRoute(db: Database, req: Request, id: string, permission: Permission): Promise<{ viewer: Viewer; actor: Actor; engagement: Engagement }> {
  const caller = await engagementCaller(db, req, permission);
  return { ...caller, engagement: await engagementFor(db, caller.viewer, parseId(id)) };
}

/** Audit entry for an export of the engagement (CSV, PDF, package). */
export async function auditExport(db: Database, by: Actor, e: Engagement, what: string, details: Record<string, unknown> = {}): Promise<void> {
  await recordAudit(db, { ...by, action: "engagement.export", target: `engagement:${e.id}`, details: { what, ...details } });
}

/**
 * An answer's fields and files from multipart/form-data (or JSON without files). The whole body is
 * refused with 413 past the files' limit, before it is parsed.
 */
export async function readAnswer(req: Request): Promise<{ fields: Record<string, string>; files: Upload[] }> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) {
    const raw = await readBytes(req, ATTACHMENT_MAX_BYTES * ATTACHMENTS_PER_ANSWER + 64 * 1024);
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { "content-type": req.headers.get("content-type") ?? "" } }).formData();
    } catch {
      throw new AppError("VALIDATION", "body: not a readable multipart form");
    }
    return formAnswer(form);
  }
  if (type.startsWith("application/json")) {
    const body = parseJson((await readBytes(req, 64 * 1024)).toString("utf8"));
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new AppError("VALIDATION", "body: expected an object");
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") fields[k] = v;
    return { fields, files: [] };
  }
  throw new AppError("UNSUPPORTED_MEDIA_TYPE", "content-type must be multipart/form-data or application/json");
}

/** The text fields and non-empty files of a form (a page's server action or the API's multipart body). */
export async function formAnswer(form: FormData): Promise<{ fields: Record<string, string>; files: Upload[] }> {
  const fields: Record<string, string> = {};
  const files: Upload[] = [];
  for (const [k, v] of form.entries()) {
    if (typeof v === "string") {
      refuseUnstorable(v, `body.${k.slice(0, 40)}`);
      fields[k] = v;
    }
    else if (v.size > 0) {
      if (v.size > ATTACHMENT_MAX_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `attachment ${v.name.slice(0, 100)}: larger than ${ATTACHMENT_MAX_BYTES} bytes`);
      files.push({ name: v.name, data: Buffer.from(await v.arrayBuffer()) });
    }
  }
  return { fields, files };
}
