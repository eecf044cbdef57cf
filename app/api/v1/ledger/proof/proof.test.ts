import { createPublicKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestEvents } from "@/lib/ingest/events-api";
import { signCheckpoint } from "@/lib/ledger/checkpoints";
import { checkConsistency, checkInclusion } from "@/lib/ledger/merkle";
import { verifyCheckpointNote } from "@/lib/ledger/signed-note";
import { testSigningKey } from "@/lib/reports/test-support";
import { errorOf, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as checkpointGet } from "../checkpoint/route";
import { GET as checkpointsGet } from "../checkpoints/route";
import { GET as consistencyGet } from "./consistency/route";
import { GET as inclusionGet } from "./inclusion/route";

let t: RouteHarness;
const key = testSigningKey();
const publicKey = createPublicKey(key.publicKeyPem);
const notes: string[] = [];

const get = (fn: (req: Request, ctx: typeof noContext) => Promise<Response>, path: string) =>
  fn(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${t.tokens.read}` } }), noContext);

async function ingest(from: number, n: number) {
  const body = { events: Array.from({ length: n }, (_, i) => ({ id: `p-${from + i}`, type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" })) };
  await ingestEvents(t.handle.db, body, JSON.stringify(body));
}

beforeAll(async () => {
  process.env.CUSTODY_SIGNING_KEY = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  t = await setupRouteHarness();
  await ingest(0, 150);
  notes.push((await signCheckpoint(t.handle.db, "entries", key))?.note ?? "");
  await ingest(150, 250);
  notes.push((await signCheckpoint(t.handle.db, "entries", key))?.note ?? "");
}, 120_000);
afterAll(async () => t?.handle.close());

const checkpointOf = (note: string) => {
  const v = verifyCheckpointNote(note, publicKey);
  if (!v.ok) throw new Error(v.reason);
  return v.checkpoint;
};

describe("GET /api/v1/ledger/checkpoint and /checkpoints", () => {
  it("answers the latest signed note as text/plain, verifiable with the public key", async () => {
    const res = await get(checkpointGet, "/api/v1/ledger/checkpoint");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const cp = checkpointOf(await res.text());
    expect(cp.treeSize).toBe(400);
  });

  it("lists checkpoints oldest first from a tree size, page by page", async () => {
    const first = (await (await get(checkpointsGet, "/api/v1/ledger/checkpoints?limit=1")).json()) as { checkpoints: { treeSize: number; note: string }[]; nextCursor: string | null };
    expect(first.checkpoints).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const rest = (await (await get(checkpointsGet, `/api/v1/ledger/checkpoints?limit=1000&cursor=${first.nextCursor}`)).json()) as typeof first;
    const sizes = [...first.checkpoints, ...rest.checkpoints].map((c) => c.treeSize);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(sizes).toContain(150);
    expect(sizes).toContain(400);
    const from = (await (await get(checkpointsGet, "/api/v1/ledger/checkpoints?from=151")).json()) as typeof first;
    expect(from.checkpoints.every((c) => c.treeSize >= 151)).toBe(true);
  });
});

describe("GET /api/v1/ledger/proof/inclusion", () => {
  it("proves an entry against the checkpoint, by index or by seq", async () => {
    const cp = checkpointOf(notes[1] ?? "");
    for (const query of ["index=137&treeSize=400", "seq=138&treeSize=400"]) {
      const res = await get(inclusionGet, `/api/v1/ledger/proof/inclusion?${query}`);
      expect(res.status).toBe(200);
      const p = (await res.json()) as { leafIndex: number; treeSize: number; leafHash: string; hashes: string[]; seq: number };
      expect(p).toMatchObject({ leafIndex: 137, treeSize: 400, seq: 138 });
      expect(checkInclusion(p.leafIndex, p.treeSize, Buffer.from(p.leafHash, "hex"), p.hashes.map((h) => Buffer.from(h, "hex")), cp.rootHash)).toBeNull();
    }
  });

  it("answers 400 naming the parameter for a tree size beyond the ledger, an index beyond the tree, or garbage", async () => {
    for (const [query, message] of [
      ["index=0&treeSize=401", /treeSize: 401 is beyond the ledger's 400 entries/],
      ["index=400&treeSize=400", /index: leaf 400 is beyond the tree size 400/],
      ["index=-1&treeSize=10", /index: must be a whole number/],
      ["index=abc", /index: must be a whole number/],
      ["treeSize=10", /index: required/],
      ["index=1&seq=5", /index and seq name different entries/],
    ] as const) {
      const res = await get(inclusionGet, `/api/v1/ledger/proof/inclusion?${query}`);
      expect(res.status, query).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe("VALIDATION");
      expect(error.message).toMatch(message);
    }
  });
});

describe("GET /api/v1/ledger/proof/consistency", () => {
  it("proves the checkpoint of 150 entries is a prefix of the one of 400", async () => {
    const [a, b] = notes.map(checkpointOf);
    const res = await get(consistencyGet, "/api/v1/ledger/proof/consistency?from=150&to=400");
    expect(res.status).toBe(200);
    const p = (await res.json()) as { from: number; to: number; hashes: string[] };
    expect(checkConsistency(p.from, p.to, p.hashes.map((h) => Buffer.from(h, "hex")), a?.rootHash ?? Buffer.alloc(0), b?.rootHash ?? Buffer.alloc(0))).toBeNull();
  });

  it("answers 400 for sizes beyond the ledger, reversed or missing", async () => {
    for (const query of ["from=1&to=401", "from=300&to=200", "from=0&to=5", "to=5", "from=1"]) {
      const res = await get(consistencyGet, `/api/v1/ledger/proof/consistency?${query}`);
      expect(res.status, query).toBe(400);
      expect((await errorOf(res)).code).toBe("VALIDATION");
    }
  });
});
