import { parentPort, workerData } from "node:worker_threads";
import pg from "pg";
import { to } from "pg-copy-streams";
import { GENESIS_HASH } from "./hashing";
import { COPY_COLUMNS, CopyTupleReader } from "./copy-rows";
import { LedgerVerifier } from "./verifier";

/** What a worker is asked: the entries after `after` (up to `upTo`), in the snapshot the main thread exported. */
export interface SegmentJob {
  connectionString: string;
  snapshot: string;
  after: number;
  upTo: number | null;
  /** Tree sizes local to the segment whose roots to keep. */
  sizes: number[];
}

export interface SegmentResult {
  /** Entries read. */
  count: number;
  /** Every entry held (seq, body, link but the first, hash) and every hash is a hex SHA-256. */
  ok: boolean;
  firstPrev: string | null;
  last: string;
  root: string;
  roots: [number, string][];
}

/** One segment of the ledger verified on its own connection and thread: its own COPY, in the shared snapshot. */
async function run(job: SegmentJob): Promise<SegmentResult> {
  const verifier = new LedgerVerifier(job.sizes, { seq: job.after + 1, prev: job.after === 0 ? GENESIS_HASH : null });
  const client = new pg.Client({ connectionString: job.connectionString });
  await client.connect();
  try {
    await client.query("begin isolation level repeatable read read only");
    await client.query(`set transaction snapshot '${job.snapshot.replace(/[^0-9A-Fa-f-]/g, "")}'`);
    await client.query("set local enable_sort = off");
    const where = job.upTo === null ? `seq > ${Number(job.after)}` : `seq > ${Number(job.after)} and seq <= ${Number(job.upTo)}`;
    const reader = new CopyTupleReader((t) => verifier.pushTuple(t));
    const stream = client.query(to(`copy (select ${COPY_COLUMNS.join(", ")} from ledger_events where ${where} order by seq) to stdout (format binary)`));
    for await (const chunk of stream) reader.feed(chunk as Buffer);
    if (!reader.done) throw new Error("the ledger's COPY stream ended before its trailer");
    await client.query("commit");
  } finally {
    await client.end();
  }
  return {
    count: verifier.size,
    ok: !verifier.problem && !verifier.treeProblem,
    firstPrev: verifier.firstPrev,
    last: verifier.head,
    root: verifier.root().toString("hex"),
    roots: [...verifier.roots],
  };
}

run(workerData as SegmentJob).then(
  (r) => parentPort?.postMessage({ result: r }),
  (e: Error) => parentPort?.postMessage({ error: e.message }),
);
