// Profiling aid, not a benchmark (`npx tsx scripts/bench/stateat-profile.ts <database url>`, under the
// heavy lock; add `node --cpu-prof --import tsx` for a CPU profile): the state-at route's lib
// function against a kept scale load (`BENCH_SCALE_KEEP=1 BENCH_SCALE_ONLY=load npm run bench --
// scale`), in-process, at random instants over the ten years, with its parts timed: the whole
// function, JSON.stringify of the answer, and the answer's size. PROFILE_SERVICES=50 keeps that many
// services (a transaction rolled back at the end), to compare growth with the service count.
import { sql } from "drizzle-orm";
import { openDatabase, queryRows, type Queryable } from "@/db/client";
import { environmentStateAt } from "@/lib/evidence/state";
import { percentile } from "./figure";

const url = process.argv[2] ?? process.env.DATABASE_URL;
if (!url) throw new Error("usage: stateat-profile.ts <database url>");
const runs = Number(process.env.PROFILE_RUNS ?? 100);
const keep = process.env.PROFILE_SERVICES ? Number(process.env.PROFILE_SERVICES) : null;
const h = await openDatabase({ url });
const [span] = await queryRows<{ lo: Date; hi: Date }>(h.db, sql`select min(deployed_at) as lo, max(deployed_at) as hi from deployments`);
if (span === undefined) throw new Error("no deployments: load the scale bench first");
const lo = new Date(span.lo).getTime();
const hi = new Date(span.hi).getTime();
const instant = () => new Date(lo + Math.random() * (hi - lo));

class Rollback extends Error {}
try {
  // Only PROFILE_SERVICES needs the transaction: in one, the route's concurrent statements would
  // share a connection and run one after the other.
  const inTransaction = async (fn: (db: Queryable) => Promise<void>) =>
    keep === null ? fn(h.db) : h.db.transaction(async (tx) => {
      await tx.execute(sql`delete from services where name not in (select name from services order by name limit ${keep})`);
      await fn(tx);
    });
  await inTransaction(async (tx) => {
    const whole: number[] = [];
    const stringify: number[] = [];
    let bytes = 0;
    let chains = 0;
    for (let i = 0; i < runs + 10; i++) {
      const t0 = performance.now();
      const state = await environmentStateAt(tx, "production", instant());
      const t1 = performance.now();
      const body = JSON.stringify(state);
      const t2 = performance.now();
      if (i >= 10) {
        whole.push(t1 - t0);
        stringify.push(t2 - t1);
        bytes = body.length;
        chains = state.workloads.length;
      }
    }
    const f = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} p95 ${percentile(xs, 95).toFixed(1)} ms`;
    console.log(`${chains} chains, ${(bytes / 1e6).toFixed(2)} MB; environmentStateAt ${f(whole)}; JSON.stringify ${f(stringify)}`);
    throw new Rollback();
  });
} catch (e) {
  if (!(e instanceof Rollback)) throw e;
}
await h.close();
