import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { parseJson, readBody, readBytes } from "./body";

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/v1/events", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("request bodies", () => {
  it("refuses a compressed body with 415 naming the encoding where the route does not decompress (it reads the body before knowing the caller)", async () => {
    const e = await refusal(readBody(post(new Uint8Array(zlib.gzipSync('{"a":1}')), { "content-encoding": "gzip" }), 1_000));
    expect(e.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(e.status).toBe(415);
    expect(e.message).toBe("content-encoding gzip is not accepted on this route: send the body uncompressed");
  });

  /** What the routes that authenticate the caller before reading pass. */
  const D = { decompress: true };
  const json = JSON.stringify({ events: Array.from({ length: 50 }, (_, i) => ({ id: `e-${i}`, type: "deployment", service: "payments" })) });
  const bytes = (b: Buffer) => new Uint8Array(b);

  it("reads a body sent compressed as gzip, x-gzip, deflate (zlib or raw) or br as the JSON it holds", async () => {
    const sent: [string, Buffer][] = [
      ["gzip", zlib.gzipSync(json)],
      ["x-gzip", zlib.gzipSync(json)],
      ["GZip", zlib.gzipSync(json)],
      ["deflate", zlib.deflateSync(json)],
      ["deflate", zlib.deflateRawSync(json)],
      ["br", zlib.brotliCompressSync(json)],
      ["identity, gzip", zlib.gzipSync(json)],
    ];
    for (const [coding, body] of sent) {
      expect(body.length, coding).toBeLessThan(json.length);
      expect(await readBody(post(bytes(body), { "content-encoding": coding }), json.length, D), coding).toBe(json);
    }
  });

  it("undoes two codings last first, as they were listed in the order applied", async () => {
    const body = zlib.brotliCompressSync(zlib.gzipSync(json));
    expect(await readBody(post(bytes(body), { "content-encoding": "gzip, br" }), 100_000, D)).toBe(json);
    expect((await refusal(readBody(post(bytes(body), { "content-encoding": "br, gzip" }), 100_000, D))).code).toBe("VALIDATION");
  });

  it("refuses (413) a small body that decompresses past the limit, without decompressing it whole", async () => {
    // 64 MiB of zeros gzip to ~64 KiB: the limit, not the sent size, decides.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const before = process.memoryUsage().arrayBuffers;
    const e = await refusal(readBody(post(bytes(bomb), { "content-encoding": "gzip" }), 1_000_000, D));
    expect(e.code).toBe("PAYLOAD_TOO_LARGE");
    expect(e.status).toBe(413);
    expect(e.message).toBe("request body is larger than the limit of 1000000 bytes once decompressed");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
    // A body exactly at the limit once decompressed is read.
    expect((await readBytes(post(bytes(zlib.gzipSync(Buffer.alloc(1_000_000))), { "content-encoding": "gzip" }), 1_000_000, D)).length).toBe(1_000_000);
    // The bytes sent are bounded too.
    expect((await refusal(readBody(post(bytes(zlib.gzipSync(json)), { "content-encoding": "gzip" }), 100, D))).code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers 400 naming the coding for bytes that are not what the header says, not malformed JSON", async () => {
    for (const [coding, body] of [
      ["gzip", Buffer.from(json)],
      ["gzip", zlib.gzipSync(json).subarray(0, 40)],
      ["br", Buffer.from([0xff, 0xff, 0xff])],
      ["deflate", Buffer.from("not deflate at all")],
    ] as const) {
      const e = await refusal(readBody(post(bytes(body), { "content-encoding": coding }), 100_000, D));
      expect(e.code, coding).toBe("VALIDATION");
      expect(e.status).toBe(400);
      expect(e.message).toContain(`body: not valid ${coding} data`);
    }
  });

  it("refuses another coding with 415 naming it, instead of calling its bytes malformed JSON", async () => {
    const cases: [string, string][] = [["zstd", "zstd"], ["compress", "compress"], ["gzip, zstd", "zstd"], ["gzip,", "(empty)"]];
    for (const [header, named] of cases) {
      const e = await refusal(readBody(post(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]), { "content-encoding": header }), 1_000, D));
      expect(e.code).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect(e.status).toBe(415);
      expect(e.message).toContain(`content-encoding ${named} is not accepted`);
    }
    const e = await refusal(readBody(post(new Uint8Array([1]), { "content-encoding": "gzip, gzip, gzip" }), 1_000, D));
    expect(e.message).toBe("content-encoding lists 3 codings: at most 2 are accepted");
  });

  it("reads a body sent as identity, or with no content-encoding", async () => {
    expect(await readBody(post('{"a":1}', { "content-encoding": "identity" }), 1_000)).toBe('{"a":1}');
    expect(await readBody(post('{"a":1}'), 1_000)).toBe('{"a":1}');
  });

  it("says a body starting with a byte order mark is refused for that mark", async () => {
    const e = await refusal(() => parseJson('\ufeff{"a":1}'));
    expect(e.code).toBe("MALFORMED_JSON");
    expect(e.message).toContain("byte order mark");
    expect((await refusal(() => parseJson("{nope"))).message).not.toContain("byte order mark");
  });
});
