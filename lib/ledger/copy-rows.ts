import type { Readable } from "node:stream";
import type { Queryable } from "@/db/client";

/**
 * The ledger read as Postgres's binary COPY stream (`COPY (SELECT …) TO STDOUT (FORMAT binary)`,
 * read with pg-copy-streams): the rows arrive as length-prefixed fields, text as its UTF-8 bytes,
 * so full verification hashes the bytes as they came off the socket instead of building a string
 * and an object per column per row (reading 1M rows through the query builder took longer than
 * verifying them). Only node-postgres can stream COPY; PGlite reads pages of rows.
 */
export const COPY_COLUMNS = [
  "seq",
  "hash_version",
  "source",
  "event_type",
  "delivery_id",
  "content_type",
  "received_at",
  "body",
  "body_sha256",
  "prev_hash",
  "hash",
  "status",
  "reason",
  "principal",
] as const;
export const F = Object.fromEntries(COPY_COLUMNS.map((c, i) => [c, i])) as { [K in (typeof COPY_COLUMNS)[number]]: number };
const FIELDS = COPY_COLUMNS.length;
const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/** Where the fields of the current tuple are in `buf`: start/end per column, -1 for NULL. */
export interface Tuple {
  buf: Buffer;
  start: Int32Array;
  end: Int32Array;
  /** The tuple's bytes, field count and lengths included: [from, to). */
  from: number;
  to: number;
}

/**
 * Splits the COPY binary stream into tuples, whatever the chunking: a tuple that spans chunks is
 * assembled once all its bytes are there (a 5 MB snapshot body is not re-copied for every chunk).
 */
export class CopyTupleReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = 0;
  private header = false;
  done = false;
  private readonly t: Tuple = { buf: Buffer.alloc(0), start: new Int32Array(FIELDS), end: new Int32Array(FIELDS), from: 0, to: 0 };

  constructor(private readonly onTuple: (t: Tuple) => void) {}

  feed(chunk: Buffer): void {
    if (this.done) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) return;
    if (this.pending.length === 1) {
      this.reset();
      this.parse(chunk, 0);
      return;
    }
    if (!this.header) {
      const buf = Buffer.concat(this.pending, this.pendingBytes);
      this.reset();
      this.parse(buf, 0);
      return;
    }
    // A tuple straddles reads: assemble it alone (its bytes, not the whole new read), then go on
    // in the last read itself, so each byte is copied at most once, and most not at all.
    const last = this.pending[this.pending.length - 1] as Buffer;
    const before = this.pendingBytes - last.length;
    let take = Math.min(last.length, Math.max(this.need - before, 0) + 4096);
    for (;;) {
      const joined = Buffer.concat([...this.pending.slice(0, -1), last.subarray(0, take)]);
      const used = this.parse(joined, 0, 1);
      if (this.done) return this.reset();
      if (used !== null) {
        this.reset();
        this.parse(last, used - before);
        return;
      }
      if (take === last.length) {
        // Still not whole (a long body): wait, without copying again, until its bytes are all here.
        this.pending = [joined];
        this.pendingBytes = joined.length;
        this.need = this.probeNeed;
        return;
      }
      take = Math.min(last.length, take * 2);
    }
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.need = 0;
  }

  /**
   * Parses tuples from `p` (at most `limit`); returns where it stopped after `limit` tuples, or
   * null when it ran out of bytes (the tail kept for the next read) or met the trailer.
   */
  private parse(buf: Buffer, p: number, limit = Infinity): number | null {
    if (!this.header) {
      if (buf.length < p + 19) {
        if (limit === Infinity) this.keep(buf, p, p + 19);
        return null;
      }
      if (!buf.subarray(p, p + 11).equals(SIGNATURE)) throw new Error("not a COPY binary stream");
      const headerEnd = p + 19 + buf.readInt32BE(p + 15);
      if (buf.length < headerEnd) {
        if (limit === Infinity) this.keep(buf, p, headerEnd);
        return null;
      }
      p = headerEnd;
      this.header = true;
    }
    const t = this.t;
    t.buf = buf;
    const { start, end } = t;
    for (let n = 0; n < limit; n += 1) {
      if (p + 2 > buf.length) return this.incomplete(buf, p, p + 2, limit);
      const fields = buf.readInt16BE(p);
      if (fields === -1) {
        this.done = true;
        return null;
      }
      if (fields !== FIELDS) throw new Error(`a COPY tuple of ${fields} fields, ${FIELDS} expected`);
      let q = p + 2;
      for (let i = 0; i < FIELDS; i += 1) {
        if (q + 4 > buf.length) return this.incomplete(buf, p, q + 4, limit);
        const len = buf.readInt32BE(q);
        q += 4;
        if (len < 0) {
          start[i] = -1;
          end[i] = -1;
          continue;
        }
        if (q + len > buf.length) return this.incomplete(buf, p, q + len, limit);
        start[i] = q;
        end[i] = q + len;
        q += len;
      }
      t.from = p;
      t.to = q;
      this.onTuple(t);
      p = q;
    }
    return p;
  }

  /** Out of bytes mid-tuple: when parsing a read (not probing a straddling tuple), keep the tail. */
  private incomplete(buf: Buffer, p: number, upTo: number, limit: number): null {
    this.probeNeed = upTo - p;
    if (limit === Infinity) this.keep(buf, p, upTo);
    return null;
  }
  private probeNeed = 0;

  /** Keeps the incomplete tail from `p`, and waits until `upTo` bytes (counted from `p`) can be there. */
  private keep(buf: Buffer, p: number, upTo: number): void {
    if (p < buf.length) {
      const rest = buf.subarray(p);
      this.pending = [rest];
      this.pendingBytes = rest.length;
    }
    this.need = upTo - p;
  }
}

/** A node-postgres client: what COPY needs. */
interface PgClient {
  query: (q: unknown) => unknown;
  release?: (err?: Error | boolean) => void;
  connection?: unknown;
}

/**
 * The node-postgres pool of a database or the client of a transaction opened on one; null on
 * PGlite. Reads drizzle's session (`db.session.client`): a transaction's rows, tampered ones
 * included, are seen only on its own connection.
 */
function pgClientOf(db: Queryable): { pool: { connect: () => Promise<PgClient> } } | { client: PgClient } | null {
  const client = (db as unknown as { session?: { client?: unknown } }).session?.client as Record<string, unknown> | undefined;
  if (!client || typeof client.query !== "function") return null;
  if (typeof client.connect === "function" && "totalCount" in client) return { pool: client as unknown as { connect: () => Promise<PgClient> } };
  if (client.connection && typeof client.connection === "object") return { client: client as unknown as PgClient };
  return null;
}

export const canStreamCopy = (db: Queryable) => pgClientOf(db) !== null;

/**
 * Streams the ledger in seq order through `onTuple`, with `before` and `after` run on the same
 * connection; on a database (not a transaction) all three run in one REPEATABLE READ snapshot, so
 * the checkpoints read before and the head read after are those of the entries read. Null on
 * PGlite (the caller reads pages of rows).
 */
export async function streamLedgerCopy<B, T>(
  db: Queryable,
  before: (query: SqlRunner) => Promise<B>,
  onTuple: (t: Tuple) => void,
  after: (query: SqlRunner) => Promise<T>,
): Promise<{ before: B; after: T } | null> {
  const target = pgClientOf(db);
  if (!target) return null;
  const { to } = await import("pg-copy-streams");
  const client = "client" in target ? target.client : await target.pool.connect();
  const own = "pool" in target;
  const run: SqlRunner = (text) => (client.query(text) as Promise<{ rows: Record<string, unknown>[] }>).then((r) => r.rows);
  let failed: Error | undefined;
  try {
    if (own) {
      await run("begin isolation level repeatable read read only");
      // In seq order by the primary key as the rows come: a sort of the whole ledger would spill to disk first.
      await run("set local enable_sort = off");
    }
    const b = await before(run);
    const reader = new CopyTupleReader(onTuple);
    const stream = client.query(to(`copy (select ${COPY_COLUMNS.join(", ")} from ledger_events order by seq) to stdout (format binary)`)) as Readable;
    for await (const chunk of stream) reader.feed(chunk as Buffer);
    if (!reader.done) throw new Error("the ledger's COPY stream ended before its trailer");
    const a = await after(run);
    if (own) await run("commit");
    return { before: b, after: a };
  } catch (error) {
    failed = error as Error;
    throw error;
  } finally {
    // A connection left mid-COPY or mid-transaction is not given back to the pool.
    if (own) client.release?.(failed ?? false);
  }
}

export type SqlRunner = (text: string) => Promise<Record<string, unknown>[]>;
