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
    const buf = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.need = 0;
    let p = 0;
    if (!this.header) {
      if (buf.length < 19) return this.keep(buf, 0, 19);
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error("not a COPY binary stream");
      p = 19 + buf.readInt32BE(15);
      this.header = true;
    }
    const t = this.t;
    t.buf = buf;
    const { start, end } = t;
    for (;;) {
      if (p + 2 > buf.length) return this.keep(buf, p, p + 2);
      const n = buf.readInt16BE(p);
      if (n === -1) {
        this.done = true;
        return;
      }
      if (n !== FIELDS) throw new Error(`a COPY tuple of ${n} fields, ${FIELDS} expected`);
      let q = p + 2;
      for (let i = 0; i < FIELDS; i += 1) {
        if (q + 4 > buf.length) return this.keep(buf, p, q + 4);
        const len = buf.readInt32BE(q);
        q += 4;
        if (len < 0) {
          start[i] = -1;
          end[i] = -1;
          continue;
        }
        if (q + len > buf.length) return this.keep(buf, p, q + len);
        start[i] = q;
        end[i] = q + len;
        q += len;
      }
      t.from = p;
      t.to = q;
      this.onTuple(t);
      p = q;
    }
  }

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
    if (own) await run("begin isolation level repeatable read read only");
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
