import { readFileSync } from "node:fs";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerEvents, provenanceBundles } from "@/db/schema";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

// Real bundles from the GitHub CLI's test data (MIT): lib/provenance/fixtures/README.md.
const dir = new URL("../../../../../lib/provenance/fixtures/", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir), "utf8");
const wheelDigest = "sha256:ae57936def59bc4c75edd3a837d89bcefc6d3a5e31d55a6fa7a71624f92c3c3b";
const imageDigest = "sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";

let t: RouteHarness;
beforeAll(async () => {
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

function post(body: string, opts: { query?: string; type?: string; token?: string } = {}): Promise<Response> {
  const req = new Request(`http://localhost/api/v1/attestations/sigstore${opts.query ?? ""}`, {
    method: "POST",
    headers: { "content-type": opts.type ?? "application/json", authorization: `Bearer ${opts.token ?? t.tokens.ingest}` },
    body,
  });
  return POST(req, noContext);
}

describe("POST /api/v1/attestations/sigstore: happy paths", () => {
  it("stores the JSON lines of `gh attestation download` verbatim and links each bundle to its sha256 subject", async () => {
    const body = fixture("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl");
    const res = await post(body, { type: "application/x-ndjson" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const [entry] = await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.source, "sigstore"));
    expect(entry?.body).toBe(body.trim());
    expect(entry?.eventType).toBe("sigstore_bundle");
    const links = await t.handle.db.select().from(provenanceBundles);
    expect(links.map((l) => l.digest)).toEqual([wheelDigest]);
  });

  it("answers a resent bundle as a duplicate", async () => {
    const res = await post(fixture("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl"));
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 1 });
  });

  it("links a bundle to the digest it is sent for, even one Custody has never seen", async () => {
    const res = await post(fixture("sigstoreBundle-invalid-signature.json"), { query: `?digest=${imageDigest}` });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const rows = await t.handle.db.select().from(provenanceBundles).where(eq(provenanceBundles.digest, imageDigest));
    expect(rows).toHaveLength(1);
    // Pretty-printed JSON is kept byte for byte.
    const entries = await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.source, "sigstore")).orderBy(asc(ledgerEvents.seq));
    expect(entries.at(-1)?.body).toBe(fixture("sigstoreBundle-invalid-signature.json").trim());
    expect(entries.at(-1)?.deliveryId.endsWith(`@${imageDigest}`)).toBe(true);
  });
});

describe("POST /api/v1/attestations/sigstore: a log time no date can hold", () => {
  it("stores the bundle (202), verbatim, dated when it was received; it answered 500 (found by sweeping every field over HTTP)", async () => {
    const bundle = JSON.parse(fixture("sigstore-js-2.1.0-bundle.json")) as { verificationMaterial: { tlogEntries: { integratedTime: unknown }[] } };
    const [entry] = bundle.verificationMaterial.tlogEntries;
    if (!entry) throw new Error("the fixture has a log entry");
    entry.integratedTime = "99999999999999999999";
    const body = JSON.stringify(bundle);
    const before = Date.now();
    const res = await post(body, { query: `?digest=${imageDigest.replace(/8$/, "9")}` });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const entries = await t.handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.source, "sigstore")).orderBy(asc(ledgerEvents.seq));
    expect(entries.at(-1)?.body).toBe(body);
    const [link] = await t.handle.db.select().from(provenanceBundles).where(eq(provenanceBundles.digest, imageDigest.replace(/8$/, "9")));
    expect(link?.receivedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe("POST /api/v1/attestations/sigstore: bad input", () => {
  it("400 naming what a body that is not a bundle lacks", async () => {
    const res = await post(JSON.stringify({ id: "x", type: "deployment" }));
    expect(res.status).toBe(400);
    const e = await errorOf(res);
    expect(e.code).toBe("VALIDATION");
    expect(e.message).toMatch(/mediaType: required/);
    expect(e.message).toMatch(/verificationMaterial: required/);
  });

  it("400 for the bundle whose certificate was removed (no certificate or key)", async () => {
    const res = await post(fixture("github_provenance_demo-0.0.12-py3-none-any-bundle-missing-cert.jsonl"));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/no certificate or key/);
  });

  it("400 for a bundle naming no sha256 subject sent without a digest (npm's sha512)", async () => {
    const res = await post(fixture("sigstore-js-2.1.0-bundle.json"));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/digest=sha256/);
  });

  it("400 for a malformed digest, 400 for JSON that does not parse, 415 for another content type", async () => {
    expect((await post(fixture("sigstore-js-2.1.0-bundle.json"), { query: "?digest=latest" })).status).toBe(400);
    const broken = await post("{ not json\n also not");
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).code).toBe("MALFORMED_JSON");
    expect((await post("x", { type: "text/html" })).status).toBe(415);
  });

  it("413 for a bundle over the size limit, and nothing of the request is stored", async () => {
    const before = await t.handle.db.select().from(ledgerEvents);
    const huge = JSON.parse(fixture("sigstore-js-2.1.0-bundle.json")) as Record<string, unknown>;
    huge.padding = "x".repeat(1024 * 1024 + 1);
    const lines = `${fixture("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl").trim()}\n${JSON.stringify(huge)}`;
    const res = await post(lines, { query: `?digest=${imageDigest}`, type: "application/x-ndjson" });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(await t.handle.db.select().from(ledgerEvents)).toHaveLength(before.length);
  });

  it("403 for a read-only token", async () => {
    const res = await post(fixture("sigstore-js-2.1.0-bundle.json"), { query: `?digest=${imageDigest}`, token: t.tokens.read });
    expect(res.status).toBe(403);
  });
});
