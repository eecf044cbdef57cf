import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkInsert } from "@/db/bulk";
import { ledgerEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { ingestEvents } from "../ingest/events-api";
import { extractedEntry, type LedgerSqlRow } from "../reports/ledger-extract";
import { queryRows, type DatabaseHandle, type Queryable } from "@/db/client";
import { GENESIS_HASH, chainHash, setHead, sha256Hex } from "./chain";
import { checkExtractedEntry } from "./entry-check";
import { LedgerVerifier } from "./full-verify";
import { ledgerHashFields, verifyLedger } from "./ledger";
import { checkInclusion } from "./merkle";
import { inclusionProof, rootAt } from "./tree";
import { verifyTree } from "./verify-tree";

/**
 * The principal column joined the entry hash in hash version 2. A ledger written before keeps its
 * version 1 entries (principal stored beside them, uncovered); entries appended since are version
 * 2, whose hash, and so whose Merkle leaf, commits to the principal. Both verify in one ledger.
 */
let h: DatabaseHandle;
const at = new Date("2026-11-01T10:00:00.000Z");

/** Three entries as Custody wrote them before the versions: v1 hashes, a principal beside them, no tree yet. */
async function legacyEntries() {
  let prev = GENESIS_HASH;
  const rows = [1, 2, 3].map((seq) => {
    const body = JSON.stringify({ id: `legacy-${seq}`, type: "attestation", occurredAt: at.toISOString(), attestationType: "backup-verification", subject: "production", result: "pass" });
    const e = { seq, source: "events", eventType: "attestation", deliveryId: `legacy-${seq}`, contentType: "application/json", receivedAt: at, body, bodySha256: sha256Hex(body), status: "used", reason: null, principal: "token:old-ci", hashVersion: 1 };
    const hash = chainHash(prev, ledgerHashFields(e));
    const row = { ...e, prevHash: prev, hash };
    prev = hash;
    return row;
  });
  await h.db.transaction(async (tx) => {
    await bulkInsert(tx, ledgerEvents, rows);
    await setHead(tx, "ledger", 3, prev, "");
  });
}

async function tampered<T>(change: ReturnType<typeof sql>, check: (q: Queryable) => Promise<T>): Promise<T> {
  // What someone with the owner's powers can do; rolled back so each case starts from the intact ledger.
  const rollback = new Error("rollback");
  let result: T | undefined;
  await h.db
    .transaction(async (tx) => {
      await tx.execute(sql`alter table ledger_events disable trigger user`);
      await tx.execute(change);
      await tx.execute(sql`alter table ledger_events enable trigger user`);
      result = await check(tx);
      throw rollback;
    })
    .catch((e: unknown) => {
      if (e !== rollback) throw e;
    });
  return result as T;
}

beforeAll(async () => {
  h = await createTestDatabase();
  await legacyEntries();
  const body = { events: [4, 5].map((i) => ({ id: `new-${i}`, type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" })) };
  await ingestEvents(h.db, body, JSON.stringify(body), { principal: "token:ci" });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const all = (q: Queryable = h.db) => q.select().from(ledgerEvents).orderBy(asc(ledgerEvents.seq));

describe("ledger hash versions", () => {
  it("appends version 2 entries after version 1 ones, and the mixed ledger verifies: chain, tree and proofs", async () => {
    const rows = await all();
    expect(rows.map((r) => [r.seq, r.hashVersion, r.principal])).toEqual([
      [1, 1, "token:old-ci"],
      [2, 1, "token:old-ci"],
      [3, 1, "token:old-ci"],
      [4, 2, "token:ci"],
      [5, 2, "token:ci"],
    ]);
    expect(await verifyLedger(h.db)).toMatchObject({ ok: true, events: 5 });
    expect(await verifyTree(h.db)).toMatchObject({ ok: true, size: 5 });
    const verifier = new LedgerVerifier();
    for (const r of rows) expect(verifier.push(r)).toBeNull();
    const root = await rootAt(h.db, 5);
    expect(verifier.root().toString("hex")).toBe(root.toString("hex"));
    for (const index of [0, 2, 3, 4]) {
      const p = await inclusionProof(h.db, index, 5);
      expect(checkInclusion(index, 5, Buffer.from(p.leafHash, "hex"), p.hashes.map((x) => Buffer.from(x, "hex")), root)).toBeNull();
    }
    // A version 2 entry's hash is its leaf hash; a version 1 entry's leaf is hashed from its hash.
    expect((await inclusionProof(h.db, 4, 5)).leafHash).toBe(rows[4]?.hash);
    expect((await inclusionProof(h.db, 0, 5)).leafHash).not.toBe(rows[0]?.hash);
  });

  it("detects a rewritten principal on a version 2 entry, in the chain, the full verification and a package's extract", async () => {
    const r = await tampered(sql`update ledger_events set principal = 'token:someone-else' where seq = 4`, async (q) => {
      const verifier = new LedgerVerifier();
      const problems = (await all(q)).map((e) => verifier.push(e)).filter(Boolean);
      const [row] = await queryRows<LedgerSqlRow>(q, sql`select * from ledger_events where seq = 4`);
      return { chain: await verifyLedger(q), problems, extract: checkExtractedEntry(extractedEntry(row as LedgerSqlRow)) };
    });
    expect(r.chain).toMatchObject({ ok: false, firstBadSeq: 4, reason: "entry hash does not match its fields" });
    expect(r.problems[0]).toBe("entry 4: hash does not match its fields");
    expect(r.extract).toEqual({ ok: false, reason: "the entry's hash does not match its fields" });
    const removed = await tampered(sql`update ledger_events set principal = null where seq = 5`, (q) => verifyLedger(q));
    expect(removed).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it("detects a version 2 entry relabelled version 1 to shed the principal's cover", async () => {
    const r = await tampered(sql`update ledger_events set hash_version = 1, principal = 'token:someone-else' where seq = 5`, (q) => verifyLedger(q));
    expect(r).toMatchObject({ ok: false, firstBadSeq: 5, reason: "entry hash does not match its fields" });
  });

  it("still cannot see a rewritten principal on a version 1 entry (stored before the hash covered it)", async () => {
    const r = await tampered(sql`update ledger_events set principal = 'token:someone-else' where seq = 2`, (q) => verifyLedger(q));
    expect(r).toMatchObject({ ok: true, events: 5 });
    const [row] = await h.db.select().from(ledgerEvents).where(eq(ledgerEvents.seq, 2));
    expect(row?.principal).toBe("token:old-ci");
  });

  it("carries the principal and the hash version in a package's extract, and an extract without a version reads as version 1", async () => {
    const rows = await queryRows<LedgerSqlRow>(h.db, sql`select * from ledger_events order by seq`);
    const extracted = rows.map(extractedEntry);
    expect(extracted[3]).toMatchObject({ principal: "token:ci", hashVersion: 2 });
    for (const e of extracted) expect(checkExtractedEntry(e).ok).toBe(true);
    const { hashVersion: _v1, principal: _p1, ...old } = extracted[0] as (typeof extracted)[number];
    expect(checkExtractedEntry(old).ok).toBe(true);
    const { hashVersion: _v2, ...unversioned } = extracted[3] as (typeof extracted)[number];
    expect(checkExtractedEntry(unversioned)).toEqual({ ok: false, reason: "the entry's hash does not match its fields" });
  });
});
