import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { Readable } from "node:stream";
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { auditLog, chainArchives, checkResults, ledgerEvents } from "@/db/schema";
import { auditHashFields } from "../audit/record";
import { chainHash, sha256Hex } from "../ledger/chain";
import { signCheckpoint } from "../ledger/checkpoints";
import { ledgerEntryHash } from "../ledger/ledger";
import { Frontier, checkConsistency } from "../ledger/merkle";
import { parseCheckpointNote, verifyCheckpointNote } from "../ledger/signed-note";
import { consistencyProof, entryLeafHash, storedRangeHasher } from "../ledger/tree";
import type { SigningKey } from "../signing/keys";
import { verificationBase } from "./base";
import { listPartitions, type PartitionInfo, type PartitionedTable } from "./maintain";

/**
 * Archive files: one month partition of the ledger or the audit log, as gzip JSON lines. The first
 * line is the header, every other line one entry in seq order, verbatim. A ledger file carries the
 * Merkle right edge before and after its entries, the newest signed checkpoint at archive time and a
 * consistency proof from its last entry to that checkpoint, so it proves on its own (and with the
 * instance's public key) that its entries are the ones the signed log holds. A check_results month
 * (chain `checks`, no hash chain) is its rows in id order; the header's `lastHash` is the SHA-256 of
 * its entry lines, and `firstSeq`/`lastSeq` its first and last id.
 */
export const ARCHIVE_FORMAT = "custody-archive/1";

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  chain: "ledger" | "audit" | "checks";
  table: PartitionedTable;
  partition: string;
  from: string;
  to: string;
  entries: number;
  firstSeq: number;
  lastSeq: number;
  /** The hash before the first entry (the genesis hash, or the previous archive's last). */
  prevHash: string;
  lastHash: string;
  /** Ledger only: the tree's right edge before the first entry and after the last. */
  startFrontier: string | null;
  endFrontier: string | null;
  /** Ledger only: the newest signed checkpoint (C2SP note) and a proof the tree at lastSeq is its prefix. */
  checkpoint: string | null;
  consistency: { from: number; to: number; hashes: string[] } | null;
}

export class ArchiveError extends Error {}

const chainOf = (table: PartitionedTable) => (table === "ledger_events" ? "ledger" : "audit");

export interface ArchiveResult {
  partition: string;
  file: string;
  entries: number;
  firstSeq: number;
  lastSeq: number;
}

/**
 * Detaches every month partition of both tables wholly before `before` and writes each to `outDir`
 * (oldest first), after checking it continues the chain from the previous archive. The file is
 * written and read back before the partition is detached and dropped, in one transaction with its
 * chain_archives row: a failure leaves the partition where it was. Needs the owner role.
 */
export async function archiveBefore(db: Queryable, before: Date, outDir: string, key: SigningKey | null): Promise<ArchiveResult[]> {
  await mkdir(outDir, { recursive: true });
  const parts = (await listPartitions(db)).filter((p) => p.to !== null && p.to.getTime() <= before.getTime());
  const results: ArchiveResult[] = [];
  for (const table of ["ledger_events", "audit_log"] as const) {
    const column = table === "ledger_events" ? "received_at" : "at";
    const [stray] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from ${sql.identifier(`${table}_default`)} where ${sql.identifier(column)} < ${before.toISOString()}::timestamptz`);
    if (Number(stray?.n ?? 0) > 0) {
      throw new ArchiveError(`${table}_default holds ${stray?.n} entries before ${before.toISOString()}: archive an earlier date, or create their month partitions first`);
    }
    for (const p of parts.filter((x) => x.table === table)) results.push(await archivePartition(db, p, outDir, key));
  }
  const [strayChecks] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from check_results_default where deployed_at < ${before.toISOString()}::timestamptz`);
  if (Number(strayChecks?.n ?? 0) > 0) {
    throw new ArchiveError(`check_results_default holds ${strayChecks?.n} results of deployments before ${before.toISOString()}: archive an earlier date, or create their month partitions first`);
  }
  for (const p of parts.filter((x) => x.table === "check_results")) results.push(await archiveCheckPartition(db, p, outDir));
  return results;
}

async function* checkLines(db: Queryable, part: string, lastId: number): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows = await queryRows<Record<string, unknown>>(
      db,
      sql`select id, deployment_id as "deploymentId", deployed_at as "deployedAt", rule_id as "ruleId", result, evidence, policy_version as "policyVersion", evaluated_at as "evaluatedAt"
          from ${sql.identifier(part)} where id > ${after} and id <= ${lastId} order by id limit 5000`,
    );
    if (rows.length === 0) return;
    yield rows
      .map((r) => `${JSON.stringify({ ...r, id: Number(r.id), deploymentId: Number(r.deploymentId), deployedAt: new Date(r.deployedAt as string).toISOString(), evaluatedAt: new Date(r.evaluatedAt as string).toISOString() })}\n`)
      .join("");
    after = Number(rows[rows.length - 1]?.id);
  }
}

/**
 * One month of check_results: under a SHARE lock on the partition (an evaluator re-judging an old
 * deployment waits), its rows are digested, written, read back and checked, then the partition is
 * detached and dropped in the same transaction as its chain_archives row.
 */
async function archiveCheckPartition(db: Queryable, p: PartitionInfo, outDir: string): Promise<ArchiveResult> {
  const file = path.join(outDir, `${p.name}.custody-archive.jsonl.gz`);
  return db.transaction(async (tx) => {
    const part = sql.identifier(p.name);
    await tx.execute(sql`lock table ${part} in share mode`);
    const [range] = await queryRows<{ first: string | number | null; last: string | number | null; n: string | number }>(tx, sql`select min(id) as first, max(id) as last, count(*) as n from ${part}`);
    const entries = Number(range?.n ?? 0);
    const firstSeq = entries > 0 ? Number(range?.first) : 0;
    const lastSeq = entries > 0 ? Number(range?.last) : 0;
    const digest = createHash("sha256");
    for await (const chunk of checkLines(tx, p.name, lastSeq)) digest.update(chunk);
    const header: ArchiveHeader = {
      format: ARCHIVE_FORMAT,
      chain: "checks",
      table: "check_results",
      partition: p.name,
      from: (p.from as Date).toISOString(),
      to: (p.to as Date).toISOString(),
      entries,
      firstSeq,
      lastSeq,
      prevHash: "",
      lastHash: digest.digest("hex"),
      startFrontier: null,
      endFrontier: null,
      checkpoint: null,
      consistency: null,
    };
    const tmp = `${file}.tmp`;
    async function* lines(): AsyncGenerator<string> {
      yield `${JSON.stringify(header)}\n`;
      yield* checkLines(tx, p.name, lastSeq);
    }
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(tmp, { flags: "wx" }));
    const check = await verifyArchiveFile(tmp, null);
    if (!check.ok) throw new ArchiveError(`the archive written for ${p.name} does not verify: ${check.problem}`);
    await rename(tmp, file);
    await tx.insert(chainArchives).values({
      chain: "checks",
      partition: p.name,
      fromAt: p.from as Date,
      toAt: p.to as Date,
      entries,
      firstSeq,
      lastSeq,
      lastHash: header.lastHash,
      frontier: null,
      fileName: path.basename(file),
      fileSha256: check.sha256,
    });
    await tx.execute(sql`alter table check_results detach partition ${part}`);
    await tx.execute(sql`drop table ${part}`);
    return { partition: p.name, file, entries, firstSeq, lastSeq };
  });
}

async function archivePartition(db: Queryable, p: PartitionInfo, outDir: string, key: SigningKey | null): Promise<ArchiveResult> {
  const chain = chainOf(p.table);
  const part = sql.identifier(p.name);
  const [range] = await queryRows<{ first: string | number | null; last: string | number | null; n: string | number }>(db, sql`select min(seq) as first, max(seq) as last, count(*) as n from ${part}`);
  const base = await verificationBase(db, chain);
  const entries = Number(range?.n ?? 0);
  const firstSeq = entries > 0 ? Number(range?.first) : base.after + 1;
  const lastSeq = entries > 0 ? Number(range?.last) : base.after;
  if (entries > 0 && firstSeq !== base.after + 1) {
    throw new ArchiveError(`${p.name} starts at entry ${firstSeq}, but the entries before it (after ${base.after}) are still in the database: archive in order, oldest first`);
  }
  if (entries > 0 && lastSeq - firstSeq + 1 !== entries) throw new ArchiveError(`${p.name} holds ${entries} entries between ${firstSeq} and ${lastSeq}: not a contiguous range`);
  const table = sql.identifier(p.table);
  const [later] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from ${table} where seq <= ${lastSeq} and seq >= ${firstSeq} and tableoid <> ${p.name}::regclass`);
  if (Number(later?.n ?? 0) > 0) {
    throw new ArchiveError(`entries ${firstSeq}..${lastSeq} of ${p.name} interleave with the next month's (a request received before midnight appended after one received after): archive an earlier month`);
  }

  // The ledger's right edge across the partition, from its entries' hashes.
  let endFrontier: Frontier | null = null;
  let checkpoint: string | null = null;
  let consistency: ArchiveHeader["consistency"] = null;
  if (chain === "ledger") {
    endFrontier = new Frontier(base.frontier.size, [...base.frontier.edge]);
    if (endFrontier.size !== base.after) throw new ArchiveError(`the archive before ${p.name} has no Merkle right edge at entry ${base.after}`);
    let after = base.after;
    while (after < lastSeq) {
      const rows = await db
        .select({ seq: ledgerEvents.seq, hash: ledgerEvents.hash, hashVersion: ledgerEvents.hashVersion })
        .from(ledgerEvents)
        .where(and(gt(ledgerEvents.seq, after), lte(ledgerEvents.seq, lastSeq)))
        .orderBy(asc(ledgerEvents.seq))
        .limit(50_000);
      if (rows.length === 0) break;
      for (const r of rows) endFrontier.append(entryLeafHash(r.hash, r.hashVersion));
      after = rows[rows.length - 1]?.seq ?? lastSeq;
    }
    const signed = key ? await signCheckpoint(db, "package", key) : null;
    if (signed && lastSeq > 0) {
      checkpoint = signed.note;
      const archived = [base.frontier, endFrontier].filter((f) => f.size > 0);
      consistency = await consistencyProof(db, lastSeq, signed.treeSize, storedRangeHasher(db, archived));
    }
  }
  const [prev] = entries > 0 ? await queryRows<{ prev_hash: string }>(db, sql`select prev_hash from ${part} where seq = ${firstSeq}`) : [];
  const [last] = entries > 0 ? await queryRows<{ hash: string }>(db, sql`select hash from ${part} where seq = ${lastSeq}`) : [];
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    chain,
    table: p.table,
    partition: p.name,
    from: (p.from as Date).toISOString(),
    to: (p.to as Date).toISOString(),
    entries,
    firstSeq,
    lastSeq,
    prevHash: prev?.prev_hash ?? base.hash,
    lastHash: last?.hash ?? base.hash,
    startFrontier: chain === "ledger" ? base.frontier.serialize() : null,
    endFrontier: endFrontier?.serialize() ?? null,
    checkpoint,
    consistency,
  };
  if (header.prevHash !== base.hash) throw new ArchiveError(`${p.name}: its first entry does not follow the previous archive's last (${base.hash})`);

  const file = path.join(outDir, `${p.name}.custody-archive.jsonl.gz`);
  const tmp = `${file}.tmp`;
  await pipeline(Readable.from(archiveLines(db, p, header)), createGzip(), createWriteStream(tmp, { flags: "wx" }));
  const check = await verifyArchiveFile(tmp, key ? createPublicKey(key.privateKey) : null);
  if (!check.ok) throw new ArchiveError(`the archive written for ${p.name} does not verify: ${check.problem}`);
  await rename(tmp, file);

  await db.transaction(async (tx) => {
    await tx.insert(chainArchives).values({
      chain,
      partition: p.name,
      fromAt: p.from as Date,
      toAt: p.to as Date,
      entries,
      firstSeq,
      lastSeq,
      lastHash: header.lastHash,
      frontier: header.endFrontier,
      fileName: path.basename(file),
      fileSha256: check.sha256,
    });
    await tx.execute(sql`alter table ${table} detach partition ${part}`);
    await tx.execute(sql`drop table ${part}`);
  });
  return { partition: p.name, file, entries, firstSeq, lastSeq };
}

async function* archiveLines(db: Queryable, p: PartitionInfo, header: ArchiveHeader): AsyncGenerator<string> {
  yield `${JSON.stringify(header)}\n`;
  let after = header.firstSeq - 1;
  const source = p.table === "ledger_events" ? ledgerEvents : auditLog;
  for (;;) {
    const rows = await db
      .select()
      .from(source)
      .where(and(gt(source.seq, after), lte(source.seq, header.lastSeq)))
      .orderBy(asc(source.seq))
      .limit(5000);
    if (rows.length === 0) return;
    yield rows.map((r) => `${JSON.stringify(r)}\n`).join("");
    after = rows[rows.length - 1]?.seq ?? header.lastSeq;
  }
}

export interface ArchiveCheck {
  ok: boolean;
  problem: string | null;
  sha256: string;
  header: ArchiveHeader | null;
  /** Whether the checkpoint's signature was checked (a public key was given). */
  signatureChecked: boolean;
}

/**
 * Reads an archive file through and checks it: every entry's body against its SHA-256, its hash
 * against its fields and predecessor, no gap from firstSeq to lastSeq; for the ledger, the Merkle
 * right edge grown over the entries from the start edge equals the end edge, the checkpoint is
 * signed by `publicKey` (when given) and the consistency proof shows the tree at lastSeq is a
 * prefix of the signed tree.
 */
export async function verifyArchiveFile(file: string, publicKey: KeyObject | null): Promise<ArchiveCheck> {
  const digest = createHash("sha256");
  const raw = createReadStream(file);
  raw.on("data", (c) => digest.update(c as Buffer));
  const lines = createInterface({ input: raw.pipe(createGunzip()), crlfDelay: Infinity });
  let header: ArchiveHeader | null = null;
  let problem: string | null = null;
  let signatureChecked = false;
  let seq = 0;
  let prev = "";
  let frontier: Frontier | null = null;
  const lineDigest = createHash("sha256");
  let lastId = 0;
  try {
    for await (const line of lines) {
      if (problem) continue;
      if (!header) {
        header = JSON.parse(line) as ArchiveHeader;
        if (header.format !== ARCHIVE_FORMAT) problem = `not a ${ARCHIVE_FORMAT} file`;
        seq = header.firstSeq;
        prev = header.prevHash;
        frontier = header.startFrontier ? Frontier.parse(header.startFrontier) : null;
        continue;
      }
      if (header.chain === "checks") {
        const c = JSON.parse(line) as { id: number };
        if (!(c.id > lastId) || c.id < header.firstSeq || c.id > header.lastSeq) problem = `result ${c.id}: out of order or outside ${header.firstSeq}..${header.lastSeq}`;
        lastId = c.id;
        lineDigest.update(`${line}\n`);
        seq += 1;
        continue;
      }
      const e = JSON.parse(line) as Record<string, unknown> & { seq: number; prevHash: string; hash: string };
      if (e.seq !== seq) problem = `sequence gap: expected ${seq}, found ${e.seq}`;
      else if (e.prevHash !== prev) problem = `entry ${e.seq}: previous hash does not match the entry before it`;
      else if (header.chain === "ledger") {
        const le = { ...e, receivedAt: new Date(e.receivedAt as string) } as unknown as Parameters<typeof ledgerEntryHash>[1] & { body: string; bodySha256: string; hashVersion: number };
        if (sha256Hex(le.body) !== le.bodySha256) problem = `entry ${e.seq}: body does not match its SHA-256`;
        else if (ledgerEntryHash(prev, le) !== e.hash) problem = `entry ${e.seq}: hash does not match its fields`;
        frontier?.append(entryLeafHash(e.hash, le.hashVersion));
      } else {
        const ae = { ...e, at: new Date(e.at as string) } as unknown as Parameters<typeof auditHashFields>[0];
        if (chainHash(prev, auditHashFields(ae)) !== e.hash) problem = `entry ${e.seq}: hash does not match its fields`;
      }
      prev = e.hash;
      seq += 1;
    }
  } catch (error) {
    problem ??= `unreadable: ${(error as Error).message}`;
  }
  const sha256 = digest.digest("hex");
  const fail = (why: string): ArchiveCheck => ({ ok: false, problem: why, sha256, header, signatureChecked });
  if (problem) return fail(problem);
  if (!header) return fail("empty file");
  if (header.chain === "checks") {
    if (seq - header.firstSeq !== header.entries) return fail(`the file holds ${seq - header.firstSeq} results, its header says ${header.entries}`);
    if (lineDigest.digest("hex") !== header.lastHash) return fail("the results' SHA-256 is not the header's");
    return { ok: true, problem: null, sha256, header, signatureChecked };
  }
  if (seq - header.firstSeq !== header.entries || seq - 1 !== header.lastSeq) return fail(`the file holds ${seq - header.firstSeq} entries, its header says ${header.entries} (${header.firstSeq}..${header.lastSeq})`);
  if (prev !== header.lastHash) return fail("the last entry's hash is not the header's");
  if (header.chain === "ledger") {
    if (!frontier || !header.endFrontier || frontier.serialize() !== header.endFrontier) return fail("the Merkle right edge grown over the entries is not the header's");
    if (header.checkpoint && header.consistency) {
      let cp;
      if (publicKey) {
        const v = verifyCheckpointNote(header.checkpoint, publicKey);
        if (!v.ok) return fail(`checkpoint: ${v.reason}`);
        cp = v.checkpoint;
        signatureChecked = true;
      } else {
        const v = parseCheckpointNote(header.checkpoint);
        if (!v.ok) return fail(`checkpoint: ${v.reason}`);
        cp = v.checkpoint;
      }
      const c = header.consistency;
      if (c.from !== header.lastSeq || c.to !== cp.treeSize) return fail("the consistency proof is not from the archive's last entry to the checkpoint");
      const why = checkConsistency(c.from, c.to, c.hashes.map((h) => Buffer.from(h, "hex")), frontier.root(), cp.rootHash);
      if (why) return fail(`consistency with the signed checkpoint: ${why}`);
    }
  }
  return { ok: true, problem: null, sha256, header, signatureChecked };
}

/**
 * Verifies an archive file, checks it is one this database archived (its SHA-256 and boundary
 * hashes in chain_archives), then re-creates its month partition and loads its entries, so the
 * month can be read and audited again. `custody verify` then checks the restored entries with the
 * rest once they join the remaining range without a gap.
 */
export async function restoreArchive(db: Queryable, file: string, publicKey: KeyObject | null): Promise<{ header: ArchiveHeader; entries: number; signatureChecked: boolean }> {
  const check = await verifyArchiveFile(file, publicKey);
  if (!check.ok || !check.header) throw new ArchiveError(`${path.basename(file)} does not verify: ${check.problem}`);
  const h = check.header;
  const [record] = await db.select().from(chainArchives).where(and(eq(chainArchives.partition, h.partition), eq(chainArchives.fileSha256, check.sha256))).limit(1);
  if (!record) throw new ArchiveError(`${path.basename(file)} is not an archive this database wrote (no chain_archives row for ${h.partition} with SHA-256 ${check.sha256})`);
  if (record.lastHash !== h.lastHash || record.lastSeq !== h.lastSeq) throw new ArchiveError(`${path.basename(file)} disagrees with the database's record of ${h.partition}`);
  const [attached] = await queryRows<{ oid: string | null }>(db, sql`select to_regclass(${h.partition})::text as oid`);
  if (attached?.oid) throw new ArchiveError(`${h.partition} is already in the database`);
  if (!/^(ledger_events|audit_log|check_results)_p\d{4}m\d{2}$/.test(h.partition) || !h.partition.startsWith(h.table)) throw new ArchiveError(`${h.partition} is not a month partition's name`);
  const bound = (t: string) => {
    const d = new Date(t);
    if (Number.isNaN(d.getTime())) throw new ArchiveError(`bad partition bound ${t}`);
    return sql.raw(`'${d.toISOString()}'`);
  };
  const table = sql.identifier(h.table);
  const part = sql.identifier(h.partition);
  await db.transaction(async (tx) => {
    // DDL takes no parameters: the name is checked above and the bounds are ISO times re-printed.
    await tx.execute(sql`create table ${part} partition of ${table} for values from (${bound(h.from)}) to (${bound(h.to)})`);
    if (h.table !== "check_results") {
      await tx.execute(sql`create trigger ${sql.identifier(`${h.partition}_no_truncate`)} before truncate on ${part} for each statement execute function custody_refuse_change()`);
    }
    const [runtime] = await queryRows<{ n: string | number }>(tx, sql`select count(*) as n from pg_roles where rolname = 'custody_runtime'`);
    if (Number(runtime?.n ?? 0) > 0) await tx.execute(sql`revoke all on ${part} from custody_runtime`);
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
    let batch: Record<string, unknown>[] = [];
    let first = true;
    const source = h.table === "ledger_events" ? ledgerEvents : h.table === "audit_log" ? auditLog : checkResults;
    const flush = async () => {
      if (batch.length > 0) await tx.insert(source).values(batch as never);
      batch = [];
    };
    for await (const line of lines) {
      if (first) {
        first = false;
        continue;
      }
      const e = JSON.parse(line) as Record<string, unknown>;
      if (h.table === "ledger_events") e.receivedAt = new Date(e.receivedAt as string);
      else if (h.table === "audit_log") e.at = new Date(e.at as string);
      else {
        e.deployedAt = new Date(e.deployedAt as string);
        e.evaluatedAt = new Date(e.evaluatedAt as string);
      }
      batch.push(e);
      if (batch.length >= 1000) await flush();
    }
    await flush();
  });
  return { header: h, entries: h.entries, signatureChecked: check.signatureChecked };
}

/** An archive file's header alone (for listing). */
export async function readArchiveHeader(file: string): Promise<ArchiveHeader> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    return JSON.parse(line) as ArchiveHeader;
  }
  throw new ArchiveError(`${file} is empty`);
}

