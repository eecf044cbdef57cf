import { asc, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulkInsert } from "@/db/bulk";
import type { DatabaseHandle, Queryable } from "@/db/client";
import { ledgerEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { testSigningKey } from "../reports/test-support";
import { runCli, spawnCli } from "../testing/cli";
import { GENESIS_HASH, setHead, sha256Hex } from "./chain";
import { signCheckpoint } from "./checkpoints";
import { LedgerVerifier, verifyLedgerFull } from "./full-verify";
import { appendToLedger, ledgerEntryHash, lockLedger, verifyLedger, type NewLedgerEntry } from "./ledger";
import { verifyLedgerFullParallel } from "./parallel-verify";
import { recomputeRoots } from "./tree";
import { verifyTree } from "./verify-tree";

/**
 * Full verification reads Postgres as a binary COPY stream and writes each entry's chain text from
 * the bytes received (lib/ledger/full-verify.ts); PGlite pages rows through the query builder and
 * `ledgerEntryText`. Both must say the same of the same ledger: what holds, and the first entry
 * that does not, by its sequence number. The ledger here is written like Custody writes it, with
 * text chosen to take every branch of the byte writer (quotes, backslashes, control characters,
 * non-ASCII, NULLs, version 1 and 2 entries, a body longer than a socket read).
 */
let h: DatabaseHandle & { url?: string };
const onPostgres = Boolean(process.env.DATABASE_URL);
const at = new Date("2026-11-01T10:00:00.123Z");

/** Version 1 entries as written before hash version 2, appended directly with their head. */
async function legacy(entries: Omit<NewLedgerEntry, "status">[]): Promise<void> {
  let prev = GENESIS_HASH;
  const rows = entries.map((e, i) => {
    const seq = i + 1;
    const bodySha256 = sha256Hex(e.body);
    const hash = ledgerEntryHash(prev, { ...e, seq, bodySha256, status: "used", hashVersion: 1 });
    const row = { ...e, seq, bodySha256, status: "used", hashVersion: 1, prevHash: prev, hash };
    prev = hash;
    return row;
  });
  await h.db.transaction(async (tx) => {
    await bulkInsert(tx, ledgerEvents, rows);
    await setHead(tx, "ledger", rows.length, prev, "");
  });
}

async function append(entries: NewLedgerEntry[]): Promise<void> {
  await h.db.transaction(async (tx) => {
    await appendToLedger(tx, await lockLedger(tx), entries);
  });
}

/** What someone with the owner's powers does; rolled back, so each case starts from the intact ledger. */
async function tampered<T>(change: ReturnType<typeof sql>, check: (q: Queryable) => Promise<T>): Promise<T> {
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

/** The old check, row by row through the generic text: what the fast path must agree with. */
async function rowByRow(q: Queryable) {
  const v = new LedgerVerifier();
  for (const e of await q.select().from(ledgerEvents).orderBy(asc(ledgerEvents.seq))) v.push(e);
  return { problem: v.problem, root: v.root().toString("hex"), size: v.size };
}

const awkward = ['plain', 'with "quotes"', "back\\slash", "tab\tand\nnewline", "\u0001control\u001f", "naïve café ✓ 日本語 🚀", "", "del\u007f"];

beforeAll(async () => {
  h = await createTestDatabase();
  await legacy(
    awkward.slice(0, 4).map((text, i) => ({
      source: "events",
      eventType: `attestation ${text}`,
      deliveryId: `legacy-${i}-${text}`,
      contentType: i % 2 ? null : "application/json",
      receivedAt: at,
      body: JSON.stringify({ text }),
      reason: i === 1 ? null : `reason ${text}`,
      principal: "token:old",
    })),
  );
  const entries: NewLedgerEntry[] = awkward.map((text, i) => ({
    source: i % 3 === 0 ? "github" : "events",
    eventType: text || "empty",
    deliveryId: `d-${i}-${text}`,
    contentType: i % 2 ? null : `application/json; note=${text}`,
    receivedAt: new Date(at.getTime() + i * 1001),
    body: JSON.stringify({ text, i }),
    status: i % 4 === 0 ? "rejected" : "used",
    reason: i % 2 ? null : text,
    principal: i % 3 === 1 ? null : `token:${text}`,
  }));
  // A body of 300 KB: one tuple over many reads of the socket.
  entries.push({ ...(entries[0] as NewLedgerEntry), deliveryId: "big", body: JSON.stringify({ blob: "ü".repeat(150_000) }) });
  await append(entries);
  // And a few hundred ordinary entries over several batches, with a checkpoint between them.
  for (let b = 0; b < 3; b += 1) {
    await append(Array.from({ length: 100 }, (_, i) => ({ source: "events", eventType: "attestation", deliveryId: `n-${b}-${i}`, contentType: "application/json", receivedAt: new Date(at.getTime() + b * 60_000), body: `{"n":${i}}`, status: "used", reason: null, principal: "token:ci" })));
    await signCheckpoint(h.db, "entries", testSigningKey());
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe("full verification in one pass", () => {
  it("verifies the chain and the tree, on Postgres from the COPY stream, and agrees with the row-by-row check", async () => {
    const full = await verifyLedgerFull(h.db);
    expect(full.read).toBe(onPostgres ? "copy" : "pages");
    const total = 4 + awkward.length + 1 + 300;
    expect(full.chain).toEqual({ ok: true, events: total, head: full.stored.hash, firstBadSeq: null });
    const fresh = await recomputeRoots(h.db, full.stored.checkpoints.map((c) => c.treeSize));
    expect(full.tree.root).toBe(fresh.root.toString("hex"));
    expect(full.stored.checkpoints.length).toBe(3);
    for (const c of full.stored.checkpoints) expect(full.tree.roots.get(c.treeSize)).toBe(c.rootHash);
    expect(await rowByRow(h.db)).toEqual({ problem: null, root: full.tree.root, size: total });
    expect(await verifyTree(h.db, full)).toMatchObject({ ok: true, size: total, checkpoints: 3 });
  });

  it("names the first bad entry by its sequence number, whatever was changed, as the row-by-row check does", async () => {
    const cases: [ReturnType<typeof sql>, number, string][] = [
      [sql`update ledger_events set body = body || ' ' where seq = 7`, 7, "body does not match its SHA-256"],
      [sql`update ledger_events set delivery_id = 'forged' where seq = 3`, 3, "entry hash does not match its fields"],
      [sql`update ledger_events set reason = 'it was fine' where seq = 6`, 6, "entry hash does not match its fields"],
      [sql`update ledger_events set content_type = null where seq = 5`, 5, "entry hash does not match its fields"],
      [sql`update ledger_events set principal = 'token:someone-else' where seq = 9`, 9, "entry hash does not match its fields"],
      [sql`update ledger_events set received_at = received_at + interval '1 second' where seq = 200`, 200, "entry hash does not match its fields"],
      [sql`update ledger_events set status = 'used' where seq = 5`, 5, "entry hash does not match its fields"],
      [sql`update ledger_events set prev_hash = hash where seq = 250`, 250, "previous hash does not match the entry before it"],
      [sql`update ledger_events set hash_version = 1 where seq = 10`, 10, "entry hash does not match its fields"],
      [sql`delete from ledger_events where seq = 100`, 100, "sequence gap: expected 100"],
    ];
    for (const [change, seq, reason] of cases) {
      const r = await tampered(change, async (q) => ({ fast: await verifyLedger(q), rows: await rowByRow(q), full: await verifyLedgerFull(q) }));
      expect(r.fast, String(change.queryChunks.map((c) => JSON.stringify(c)))).toMatchObject({ ok: false, firstBadSeq: seq, reason, events: seq - 1 });
      expect(r.rows.problem).toMatchObject({ seq, reason });
      // The tree is still grown over the stored hashes: a broken chain does not hide a rewritten tree.
      expect(r.full.tree.root).toBe(r.rows.root);
    }
  });

  it("says the same as the row-by-row check for any text the columns may hold", async () => {
    const text = fc.string({ unit: "binary", maxLength: 30 }).map((s) => s.replaceAll("\u0000", ""));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ source: text, eventType: text, deliveryId: text, contentType: fc.option(text), body: text, reason: fc.option(text), principal: fc.option(text), status: fc.constantFrom("used", "not-used", "rejected") as fc.Arbitrary<"used">, ms: fc.integer({ min: 0, max: 10 ** 12 }) }), { minLength: 1, maxLength: 20 }),
        async (generated) => {
          const r = await tampered(sql`select 1`, async (q) => {
            const head = await lockLedger(q);
            await appendToLedger(q, head, generated.map(({ ms, ...g }, i) => ({ ...g, deliveryId: `${g.deliveryId}/${i}/${Math.random()}`, receivedAt: new Date(ms) })));
            return { fast: await verifyLedgerFull(q), rows: await rowByRow(q) };
          });
          expect(r.fast.chain.ok).toBe(true);
          expect(r.rows.problem).toBeNull();
          expect(r.fast.tree.root).toBe(r.rows.root);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("reads a timestamp with microseconds as the row reader does (to the millisecond)", async () => {
    const r = await tampered(sql`update ledger_events set received_at = received_at + interval '456 microseconds' where seq = 12`, async (q) => ({ fast: await verifyLedger(q), rows: await rowByRow(q) }));
    expect(r.rows.problem).toBeNull();
    expect(r.fast).toMatchObject({ ok: true });
  });
});

describe.runIf(onPostgres)("custody verify on Postgres", () => {
  const env = () => ({ env: { DATABASE_URL: h.url } });

  it("on two threads (the ledger split at a power of two, each part on its own connection) says exactly what one thread says", async () => {
    const one = await verifyLedgerFull(h.db, { sizes: [1, 200, 256, 257, 300, 313, 400] });
    const two = await verifyLedgerFullParallel(h.db, { sizes: [1, 200, 256, 257, 300, 313, 400], minEntries: 2 });
    expect(one.chain.ok).toBe(true);
    expect(two).toEqual(one);
  }, 60_000);

  it("says ok for the intact ledger, and after a committed rewrite names the entry and exits 1", async () => {
    const ok = await runCli(["verify"], env());
    expect(ok.stdout).toMatch(/^ledger ok: 313 entries, head [0-9a-f]{64}$/m);
    expect(ok.stdout).toMatch(/^merkle tree ok: 313 entries, root [0-9a-f]{64}, 3 stored checkpoints agree$/m);
    expect(ok.status).toBe(0);
    await h.db.transaction(async (tx) => {
      await tx.execute(sql`alter table ledger_events disable trigger user`);
      await tx.execute(sql`update ledger_events set body = '{"forged":true}' where seq = 42`);
      await tx.execute(sql`alter table ledger_events enable trigger user`);
    });
    // A process of its own: the exit status a scheduled `custody verify` alerts on.
    const broken = await spawnCli(["verify"], env());
    expect(broken.stdout).toContain("ledger BROKEN at sequence 42: body does not match its SHA-256");
    expect(broken.status).toBe(1);
    // Two threads find a problem and verify again on one, which names it.
    expect(await verifyLedgerFullParallel(h.db, { minEntries: 2 })).toEqual(await verifyLedgerFull(h.db));
    await h.db.transaction(async (tx) => {
      await tx.execute(sql`alter table ledger_events disable trigger user`);
      await tx.execute(sql`update ledger_events set body = '{"forged":true}' where seq = 300`);
      await tx.execute(sql`update ledger_events set body_sha256 = ${sha256Hex('{"forged":true}')} where seq = 42`);
      await tx.execute(sql`alter table ledger_events enable trigger user`);
    });
    const second = await verifyLedgerFullParallel(h.db, { minEntries: 2 });
    expect(second.chain).toMatchObject({ ok: false, firstBadSeq: 42, reason: "entry hash does not match its fields" });
    expect(second).toEqual(await verifyLedgerFull(h.db));
  }, 120_000);
});
