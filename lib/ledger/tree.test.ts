import { createPublicKey } from "node:crypto";
import { asc, count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { ledgerEvents, ledgerTreeNodes } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { ingestEvents } from "../ingest/events-api";
import { testSigningKey } from "../reports/test-support";
import { signCheckpoint } from "./checkpoints";
import { checkConsistency, checkInclusion, rootOfLeafHashes } from "./merkle";
import { verifyCheckpointNote } from "./signed-note";
import { consistencyProof, entryLeafHash, inclusionProof, recomputeRoots, rootAt, treeHead } from "./tree";
import { Frontier } from "./merkle";
import { verifyTree } from "./verify-tree";

let h: DatabaseHandle;
const attestation = (i: number) => ({
  id: `tree-${i}`,
  type: "attestation",
  occurredAt: "2026-11-01T10:00:00Z",
  attestationType: "backup-verification",
  subject: "production",
  result: "pass",
});

async function ingestBatch(from: number, n: number) {
  const body = { events: Array.from({ length: n }, (_, i) => attestation(from + i)) };
  await ingestEvents(h.db, body, JSON.stringify(body));
}

beforeAll(async () => {
  h = await createTestDatabase();
  // Batches of awkward sizes, so perfect subtrees complete inside, across and at batch edges.
  let next = 0;
  for (const n of [1, 63, 64, 100, 1, 1, 70]) {
    await ingestBatch(next, n);
    next += n;
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const leaves = async () => (await h.db.select({ hash: ledgerEvents.hash, hashVersion: ledgerEvents.hashVersion }).from(ledgerEvents).orderBy(asc(ledgerEvents.seq))).map((r) => entryLeafHash(r.hash, r.hashVersion));

describe("the ledger's Merkle tree", () => {
  it("keeps a right edge whose root equals a fresh computation from the entries in seq order", async () => {
    const all = await leaves();
    expect(all).toHaveLength(300);
    const head = await treeHead(h.db);
    expect(head.size).toBe(300);
    const expected = rootOfLeafHashes(all).toString("hex");
    expect(Frontier.parse(head.frontier ?? "").root().toString("hex")).toBe(expected);
    expect((await recomputeRoots(h.db)).root.toString("hex")).toBe(expected);
    expect((await rootAt(h.db, 300)).toString("hex")).toBe(expected);
    expect((await rootAt(h.db, 129)).toString("hex")).toBe(rootOfLeafHashes(all.slice(0, 129)).toString("hex"));
    // 300 leaves: four perfect subtrees of 64, two of 128, one of 256.
    expect((await h.db.select({ n: count() }).from(ledgerTreeNodes))[0]?.n).toBe(7);
  });

  it("proves the inclusion of entries at any index of any tree size, verifiable by RFC 9162", async () => {
    const all = await leaves();
    for (const size of [1, 2, 64, 65, 128, 200, 256, 300]) {
      const root = rootOfLeafHashes(all.slice(0, size));
      for (const index of [0, 1, 63, 64, 127, 150, 255, 299].filter((i) => i < size)) {
        const p = await inclusionProof(h.db, index, size);
        expect(p.leafHash).toBe(all[index]?.toString("hex"));
        const path = p.hashes.map((x) => Buffer.from(x, "hex"));
        expect(checkInclusion(index, size, all[index] as Buffer, path, root), `index ${index} size ${size}`).toBeNull();
      }
    }
  });

  it("proves that every earlier tree is a prefix of a later one", async () => {
    const all = await leaves();
    for (const [from, to] of [[1, 300], [64, 300], [65, 129], [100, 256], [255, 256], [299, 300], [300, 300]] as const) {
      const p = await consistencyProof(h.db, from, to);
      const problem = checkConsistency(from, to, p.hashes.map((x) => Buffer.from(x, "hex")), rootOfLeafHashes(all.slice(0, from)), rootOfLeafHashes(all.slice(0, to)));
      expect(problem, `${from}..${to}`).toBeNull();
    }
  });

  it("signs a checkpoint of the whole ledger that verifies with the public key alone", async () => {
    const key = testSigningKey();
    const cp = await signCheckpoint(h.db, "entries", key);
    expect(cp?.treeSize).toBe(300);
    const v = verifyCheckpointNote(cp?.note ?? "", createPublicKey(key.publicKeyPem));
    expect(v.ok && v.checkpoint.rootHash.toString("hex")).toBe(rootOfLeafHashes(await leaves()).toString("hex"));
    expect((await signCheckpoint(h.db, "interval", key))?.note).toBe(cp?.note);
    expect(await verifyTree(h.db)).toMatchObject({ ok: true, size: 300, problem: null });
  });
});
