import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";

export interface Metered {
  bytes: number;
  sha256: string;
}

/** A pass-through that counts and hashes what flows through it; `done` resolves at the end. */
export function meter(): { transform: Transform; done: Promise<Metered> } {
  const hash = createHash("sha256");
  let bytes = 0;
  let resolve: (m: Metered) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const done = new Promise<Metered>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined);
  const transform = new Transform({
    transform(chunk: Buffer | string, _enc, cb) {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      bytes += b.length;
      hash.update(b);
      cb(null, b);
    },
    flush(cb) {
      resolve({ bytes, sha256: hash.digest("hex") });
      cb();
    },
  });
  transform.on("error", reject);
  return { transform, done };
}

/** Streams text chunks through a meter, failing `done` if the source throws. */
export function meteredText(source: AsyncIterable<string>): { stream: Readable; done: Promise<Metered> } {
  const m = meter();
  const input = Readable.from(source, { objectMode: false });
  input.on("error", (e) => m.transform.destroy(e));
  // A reader that goes away stops the source (and the database pages behind it).
  m.transform.on("close", () => input.destroy());
  return { stream: input.pipe(m.transform), done: m.done };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
