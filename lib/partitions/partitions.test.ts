import { readFileSync, writeFileSync } from "node:fs";
import { createPublicKey } from "node:crypto";
import { gzipSync, gunzipSync } from "node:zlib";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { openUpgradeDatabase, type UpgradeDatabase } from "@/lib/testing/upgrade-database";
import { recordAudit } from "../audit/record";
import { verifyAuditLog } from "../audit/verify";
import { signCheckpointAt } from "../ledger/checkpoints";
import { appendToLedger, lockLedger, verifyLedger } from "../ledger/ledger";
import { inclusionProof } from "../ledger/tree";
import { consistencyProofFor, inclusionProofFor } from "../ledger/proof-api";
import { checkInclusion } from "../ledger/merkle";
import { verifyTree } from "../ledger/verify-tree";
import { testSigningKey } from "../reports/test-support";
import { archiveBefore, restoreArchive, verifyArchiveFile } from "./archive";
import { ensurePartitions, listPartitions } from "./maintain";

/**
 * Migration 0020 on a database holding three years of ledger and audit entries (the embedded one,
 * or a new database on DATABASE_URL's server), then archive and restore of the old months.
 */
let out: string;
const key = testSigningKey();
const publicKey = createPublicKey(key.privateKey);
let db: UpgradeDatabase;
let h: DatabaseHandle;

/** The months the entries are spread over: two wholly before 2019, then 2019, then now. */
const months = ["2018-11-15T10:00:00Z", "2018-12-31T23:59:59.500Z", "2019-01-01T00:00:00.250Z", "2019-06-10T08:00:00Z"];
const perMonth = 70;

beforeAll(async () => {
  db = await openUpgradeDatabase("partitions", "0020");
  h = db.handle;
  out = path.join(db.tmp, "archive");
  await db.migrateBefore();

  // Entries written by the code of the current schema, as a server before 0020 wrote them.
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    let n = 0;
    for (const m of months) {
      vi.setSystemTime(new Date(m));
      await h.db.transaction(async (tx) => {
        const head = await lockLedger(tx);
        const entries = Array.from({ length: perMonth }, () => {
          n += 1;
          const body = JSON.stringify({ id: `e-${n}`, type: "attestation", subject: "production", result: "pass" });
          return { source: "events", eventType: "attestation", deliveryId: `e-${n}`, contentType: "application/json", receivedAt: new Date(m), body, status: "used" as const, reason: null, principal: "token:ci" };
        });
        await appendToLedger(tx, head, entries);
        await recordAudit(tx, { actor: "ci", actorType: "token", action: "ingest.events", details: { n } });
        await recordAudit(tx, { actor: "admin@example.com", actorType: "user", action: "token.create", details: { n } });
      });
    }
  } finally {
    vi.useRealTimers();
  }
  await signCheckpointAt(h.db, 150, "entries", key);
  await signCheckpointAt(h.db, months.length * perMonth, "entries", key);
  await db.migrateAll();
}, 120_000);

afterAll(async () => db?.close());

/** Drizzle wraps the database's error; the trigger's message is its cause's. */
const refused = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => null,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(error, "the statement was refused").not.toBeNull();
  expect(String(error?.cause?.message ?? error?.message)).toMatch(/append-only/);
};

const count = async (table: string) => Number((await queryRows<{ n: string | number }>(h.db, sql`select count(*) as n from ${sql.identifier(table)}`))[0]?.n);

describe("migration 0020 on a database with rows", () => {
  it("keeps every ledger and audit entry, each in the partition of its month, and the chains and tree still verify", async () => {
    expect(await count("ledger_events")).toBe(months.length * perMonth);
    expect(await count("audit_log")).toBe(months.length * 2);
    const kinds = await queryRows<{ relname: string; relkind: string }>(h.db, sql`select relname, relkind::text from pg_class where relname in ('ledger_events', 'audit_log')`);
    expect(kinds.map((k) => k.relkind)).toEqual(["p", "p"]);
    expect(await count("ledger_events_p2018m11")).toBe(perMonth);
    expect(await count("ledger_events_p2018m12")).toBe(perMonth);
    expect(await count("ledger_events_p2019m01")).toBe(perMonth);
    expect(await count("ledger_events_default")).toBe(0);
    // Every month from the first entry's to three ahead of now.
    const now = new Date();
    const ahead = `ledger_events_p${now.getUTCFullYear() + (now.getUTCMonth() + 3 >= 12 ? 1 : 0)}m${String(((now.getUTCMonth() + 3) % 12) + 1).padStart(2, "0")}`;
    const names = (await listPartitions(h.db)).map((p) => p.name);
    expect(names).toContain(ahead);
    expect(names).toContain("audit_log_p2019m06");
    expect(await verifyLedger(h.db)).toMatchObject({ ok: true, events: months.length * perMonth });
    expect(await verifyAuditLog(h.db)).toMatchObject({ ok: true, entries: months.length * 2 });
    expect(await verifyTree(h.db)).toMatchObject({ ok: true, size: months.length * perMonth, checkpoints: 2 });
  });

  it("keeps the append-only triggers on the partitions, old and new", async () => {
    await refused(h.db.execute(sql`update ledger_events set status = 'x' where seq = 3`));
    await refused(h.db.execute(sql`delete from ledger_events_p2018m11 where seq = 3`));
    await refused(h.db.execute(sql`truncate ledger_events_p2019m01`));
    await refused(h.db.execute(sql`delete from audit_log where seq = 1`));
  });

  it("creates next months' partitions idempotently, and a delivery id is still taken once", async () => {
    expect(await ensurePartitions(h.db)).toBe(0);
    const r = await h.db.transaction(async (tx) => {
      await lockLedger(tx);
      const { existingDeliveries } = await import("../ledger/ledger");
      return existingDeliveries(tx, "events", ["e-1", "e-new"]);
    });
    expect([...r]).toEqual(["e-1"]);
  });

  it("keeps every delivery id once in ledger_deliveries (migration 0026), and the database refuses a second one from any writer", async () => {
    expect(await count("ledger_deliveries")).toBe(months.length * perMonth);
    const [one] = await queryRows<{ seq: number | string }>(h.db, sql`select seq from ledger_deliveries where source = 'events' and delivery_id = 'e-71'`);
    expect(Number(one?.seq)).toBe(71);
    // A writer that skips the ledger lock and the duplicate check: the key's primary key refuses it.
    const error = await h.db
      .execute(sql`insert into ledger_events (seq, source, event_type, delivery_id, content_type, received_at, body, body_sha256, prev_hash, hash, status)
        values (100000, 'events', 'attestation', 'e-71', 'application/json', '2019-06-10T09:00:00Z', '{}', 'x', 'y', 'z', 'used')`)
      .then(
        () => null,
        (e: unknown) => e as Error & { cause?: Error & { code?: string } },
      );
    expect(String(error?.cause?.message ?? error?.message)).toMatch(/ledger_deliveries_pkey/);
    expect(await count("ledger_events")).toBe(months.length * perMonth);
    // The keys table is append-only, as the ledger is.
    await refused(h.db.execute(sql`delete from ledger_deliveries where delivery_id = 'e-71'`));
  });
});

describe("custody archive and restore", () => {
  let files: string[] = [];

  it("archives the months wholly before 2019-01-01 as files that verify, and the rest of the ledger still verifies", async () => {
    const results = await archiveBefore(h.db, new Date("2019-01-01T00:00:00Z"), out, key);
    const ledgerParts = results.filter((r) => r.partition.startsWith("ledger_events"));
    expect(ledgerParts.map((r) => [r.partition, r.firstSeq, r.lastSeq])).toEqual([
      ["ledger_events_p2018m11", 1, 70],
      ["ledger_events_p2018m12", 71, 140],
    ]);
    expect(results.filter((r) => r.partition.startsWith("audit_log")).map((r) => r.entries)).toEqual([2, 2]);
    files = results.map((r) => r.file);
    expect(await count("ledger_events")).toBe(140);
    expect((await listPartitions(h.db)).map((p) => p.name)).not.toContain("ledger_events_p2018m11");
    // An archived month's deliveries keep their keys: a redelivery of one is still a duplicate.
    const { existingDeliveries } = await import("../ledger/ledger");
    expect([...(await existingDeliveries(h.db, "events", ["e-1", "e-140", "e-141", "e-new"]))].sort()).toEqual(["e-1", "e-140", "e-141"]);
    for (const f of files) expect(await verifyArchiveFile(f, publicKey)).toMatchObject({ ok: true, problem: null });
    expect(await verifyLedger(h.db)).toMatchObject({ ok: true, events: 280, archived: 140 });
    expect(await verifyAuditLog(h.db)).toMatchObject({ ok: true, entries: 8, archived: 4 });
    // The checkpoint at 150 lies beyond the archive boundary (140), so it is still checked.
    expect(await verifyTree(h.db)).toMatchObject({ ok: true, size: 280, archived: 140, checkpoints: expect.any(Number) });
    // A proof for a remaining entry still builds (the boundary's right edge stands for the archived ones) and holds.
    const cp = await queryRows<{ root_hash: string }>(h.db, sql`select root_hash from ledger_checkpoints where tree_size = 280`);
    const p = await inclusionProof(h.db, 150, 280);
    // An archived entry's proof is a clear 404 (restore its month), never a server error.
    await expect(inclusionProofFor(h.db, new URLSearchParams({ seq: "12", treeSize: "280" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(consistencyProofFor(h.db, new URLSearchParams({ from: "100", to: "280" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await consistencyProofFor(h.db, new URLSearchParams({ from: "150", to: "280" }))).hashes.length).toBeGreaterThan(0);
    expect(checkInclusion(150, 280, Buffer.from(p.leafHash, "hex"), p.hashes.map((x) => Buffer.from(x, "hex")), Buffer.from(cp[0]?.root_hash ?? "", "hex"))).toBeNull();
  });

  it("refuses an archive file with a changed entry, and restore refuses it before loading anything", async () => {
    const file = files[0] ?? "";
    const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    lines[5] = (lines[5] ?? "").replace("pass", "fail");
    const forged = path.join(db.tmp, "forged.custody-archive.jsonl.gz");
    writeFileSync(forged, gzipSync(lines.join("\n")));
    expect((await verifyArchiveFile(forged, publicKey)).problem).toMatch(/entry 5: body does not match/);
    await expect(restoreArchive(h.db, forged, publicKey)).rejects.toThrow(/does not verify/);
    expect(await count("ledger_events")).toBe(140);
    // Signed by another key: the checkpoint does not verify.
    expect((await verifyArchiveFile(file, createPublicKey(testSigningKey().privateKey))).ok).toBe(false);
  });

  it("restores the archived months for an audit: verified first, then the ledger verifies from entry 1 again", async () => {
    for (const f of files) await restoreArchive(h.db, f, publicKey);
    expect(await count("ledger_events")).toBe(280);
    expect(await count("audit_log")).toBe(8);
    expect(await verifyLedger(h.db)).toMatchObject({ ok: true, events: 280, archived: 0 });
    expect(await verifyAuditLog(h.db)).toMatchObject({ ok: true, entries: 8, archived: 0 });
    expect(await verifyTree(h.db)).toMatchObject({ ok: true, size: 280, archived: 0 });
    expect(await count("ledger_deliveries")).toBe(280);
    await refused(h.db.execute(sql`delete from ledger_events_p2018m11 where seq = 3`));
    await expect(restoreArchive(h.db, files[0] ?? "", publicKey)).rejects.toThrow(/already in the database/);
  });
});
