// A second (and third) process for the multi-instance test: ingests through the same code path
// the server uses, against a shared Postgres. Usage: tsx ingest-worker.ts <url> <worker> <batches>
import { openDatabase } from "@/db/client";
import { evaluationSettled } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";

const [url, worker, batches] = process.argv.slice(2);
if (!url || !worker || !batches) throw new Error("usage: ingest-worker <url> <worker> <batches>");
const handle = await openDatabase({ url });
const attestation = (id: string, i: number) => ({
  id,
  type: "attestation",
  occurredAt: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
  attestationType: "backup-verification",
  subject: "production",
  environment: "production",
  result: "pass",
});
const jobs: Promise<unknown>[] = [];
for (let b = 0; b < Number(batches); b += 1) {
  // Half the ids are shared by every worker (the same delivery reaching two instances), half are its own.
  const events = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? attestation(`shared-${b}-${i}`, i) : attestation(`${worker}-${b}-${i}`, i)));
  const body = { events };
  jobs.push(ingestEvents(handle.db, body, JSON.stringify(body)));
}
await Promise.all(jobs);
// Both processes then judge the queue, contending for the one evaluator lock.
await evaluationSettled(handle.db);
await handle.close();
