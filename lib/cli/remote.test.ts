import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "./output";
import { COMPRESS_FROM_BYTES, postBundles, postEvents } from "./remote";

// A real bundle file (GitHub CLI test data, MIT): lib/provenance/fixtures/README.md.
const bundles = readFileSync(new URL("../provenance/fixtures/github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl", import.meta.url), "utf8");
const digest = "sha256:73e71f5a7b5226c9e15726356919a042865aab89847a4852ce4098a523f1f75c";
const seen: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
/** When set, the server answers a compressed body as servers before 5 Dec 2026 did (415). */
let refuseCompressed = false;
const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(parts);
    const gzip = req.headers["content-encoding"] === "gzip";
    if (gzip && refuseCompressed) {
      seen.push({ url: req.url ?? "", headers: req.headers, body: "" });
      res.writeHead(415, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "UNSUPPORTED_MEDIA_TYPE", message: "content-encoding gzip is not accepted: send the body uncompressed", requestId: "r" } }));
      return;
    }
    const body = (gzip ? gunzipSync(raw) : raw).toString("utf8");
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

describe("custody snapshot --url (a large body)", () => {
  // Real `kubectl get pods` and controllers `-A -o json` output (lib/ingest/kubernetes/fixtures/README.md), as one list.
  const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../ingest/kubernetes/fixtures/${name}`, import.meta.url), "utf8")) as { items: unknown[] };
  const list = { apiVersion: "v1", kind: "List", items: [...fixture("pods.json").items, ...fixture("controllers.json").items] };
  const snapshot = { id: "k8s-snapshot:production:1", type: "snapshot", environment: "production", raw: list };

  it("sends a body from 64 KiB on gzip-compressed, holding the same JSON", async () => {
    seen.length = 0;
    expect(JSON.stringify(snapshot).length).toBeGreaterThan(COMPRESS_FROM_BYTES);
    expect(await postEvents(url, "cust_token", snapshot)).toEqual({ accepted: 1, duplicates: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers["content-encoding"]).toBe("gzip");
    expect(Number(seen[0]?.headers["content-length"])).toBeLessThan(JSON.stringify(snapshot).length / 5);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual(snapshot);
  });

  it("sends a small body as it is", async () => {
    seen.length = 0;
    await postEvents(url, "cust_token", { id: "e-1", type: "attestation" });
    expect(seen[0]?.headers["content-encoding"]).toBeUndefined();
  });

  it("sends it again uncompressed to a server that refuses compressed bodies (415 naming the content-encoding)", async () => {
    seen.length = 0;
    refuseCompressed = true;
    try {
      expect(await postEvents(url, "cust_token", snapshot)).toEqual({ accepted: 1, duplicates: 0 });
    } finally {
      refuseCompressed = false;
    }
    expect(seen.map((r) => r.headers["content-encoding"] ?? "none")).toEqual(["gzip", "none"]);
    expect(JSON.parse(seen[1]?.body ?? "")).toEqual(snapshot);
  });
});
