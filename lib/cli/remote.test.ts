import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "./output";
import { postBundles } from "./remote";

// A real bundle file (GitHub CLI test data, MIT): lib/provenance/fixtures/README.md.
const bundles = readFileSync(new URL("../provenance/fixtures/github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl", import.meta.url), "utf8");
const digest = "sha256:73e71f5a7b5226c9e15726356919a042865aab89847a4852ce4098a523f1f75c";
const seen: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    seen.push({ url: req.url ?? "", headers: req.headers, body });
    const refused = body.includes("refuse-me");
    res.writeHead(refused ? 400 : 202, { "content-type": "application/json" });
    res.end(JSON.stringify(refused ? { error: { code: "VALIDATION", message: "line 1: mediaType: required", requestId: "r" } } : { accepted: 1, duplicates: 0 }));
  });
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("custody attest --url", () => {
  it("posts the bundle file as read, for the digest, with the token", async () => {
    expect(await postBundles(url, "cust_token", bundles, digest)).toEqual({ accepted: 1, duplicates: 0 });
    const [req] = seen;
    expect(req?.url).toBe(`/api/v1/attestations/sigstore?digest=${encodeURIComponent(digest)}`);
    expect(req?.headers["content-type"]).toBe("application/x-ndjson");
    expect(req?.headers.authorization).toBe("Bearer cust_token");
    expect(req?.body).toBe(bundles);
  });

  it("reports the server's refusal in one line", async () => {
    await expect(postBundles(url, "cust_token", "refuse-me", undefined)).rejects.toThrow(CliError);
    await expect(postBundles(url, "cust_token", "refuse-me", undefined)).rejects.toThrow(/400 VALIDATION: line 1: mediaType: required/);
  });
});
