import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { parseJson, readBody } from "./body";

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
  it("refuses a compressed body with 415 naming the encoding, instead of calling its bytes malformed JSON", async () => {
    const e = await refusal(readBody(post(new Uint8Array([0x1f, 0x8b, 8, 0]), { "content-encoding": "gzip" }), 1_000));
    expect(e.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(e.status).toBe(415);
    expect(e.message).toContain("content-encoding gzip");
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
