import { Readable } from "node:stream";
import { type ExportOutput } from "./export";

/** Turns an export into a download Response; a streamed body goes out as it is produced. */
export function exportResponse(out: ExportOutput): Response {
  const body = Buffer.isBuffer(out.body) ? new Uint8Array(out.body) : (Readable.toWeb(out.body) as ReadableStream<Uint8Array>);
  const inline = out.contentType.startsWith("application/json");
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": out.contentType,
      ...(inline ? {} : { "content-disposition": `attachment; filename="${out.filename}"` }),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...out.headers,
    },
  });
}
