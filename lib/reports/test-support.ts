import { generateKeyPairSync } from "node:crypto";
import { type Readable } from "node:stream";
import yauzl from "yauzl";
import { ZipFile } from "yazl";
import type { Database } from "@/db/client";
import { generateDemoEvents } from "../demo/generate";
import { evaluationSettled } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";
import { parseSigningKey, type SigningKey } from "../signing/keys";

/** The 30-day demo history, fed through the production ingest path. */
export const demoPeriod = { from: "2026-10-28", to: "2026-11-27" };

export async function ingestDemo(db: Database): Promise<number> {
  const events = generateDemoEvents({ days: 30 });
  for (let i = 0; i < events.length; i += 400) {
    const body = { events: events.slice(i, i + 400) };
    await ingestEvents(db, body, JSON.stringify(body));
  }
  await evaluationSettled(db);
  return events.length;
}

export function testSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync("ed25519");
  return parseSigningKey(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
}

export async function collect(body: Buffer | Readable | ReadableStream<Uint8Array>): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export async function unzip(data: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true }, (e, z) => (e || !z ? reject(e ?? new Error("zip")) : resolve(z))),
  );
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on("end", () => resolve());
    zip.on("error", reject);
    zip.on("entry", (entry: yauzl.Entry) =>
      zip.openReadStream(entry, (e, rs) => {
        if (e || !rs) return reject(e ?? new Error("entry"));
        collect(rs).then((b) => {
          out.set(entry.fileName, b);
          zip.readEntry();
        }, reject);
      }),
    );
    zip.readEntry();
  });
  return out;
}

export async function rezip(files: Map<string, Buffer>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, data] of files) zip.addBuffer(data, name);
  zip.end();
  return collect(zip.outputStream as Readable);
}
