import { sql } from "drizzle-orm";
import { queryRows, type Database } from "@/db/client";
import { ingestEvents } from "../ingest/events-api";
import { evaluationSettled } from "../evaluation/queue";

const hex = (seed: string, n: number) => Buffer.from(seed.repeat(64)).toString("hex").slice(0, n);

/**
 * What a CI pipeline sends when it redeploys a service properly: the run, the CI-built image, the
 * deployment, then the cluster's next snapshot (the last one with that service's image replaced).
 * `human: true` sends the same deployment made by a person outside the pipeline instead.
 */
export async function redeploy(db: Database, o: { service: string; environment: string; at: Date; tag: string; human?: boolean }) {
  const at = (minutes: number) => new Date(o.at.getTime() + minutes * 60_000).toISOString();
  const digest = `sha256:${hex(o.tag, 64)}`;
  const sha = hex(`${o.tag}c`, 40);
  const runId = `fix-${o.tag}`;
  const repository = `ghcr.io/acme/${o.service}`;
  const pipeline = { provider: "github-actions", runId };
  const events: Record<string, unknown>[] = [];
  if (!o.human) {
    events.push(
      { id: `${runId}-run`, type: "pipeline_run", occurredAt: at(-10), provider: "github-actions", runId, repository: `acme/${o.service}`, workflow: "deploy",
        commitSha: sha, branch: "main", event: "push", actor: "github-actions[bot]", status: "completed", conclusion: "success", startedAt: at(-10), completedAt: at(1) },
      { id: `${runId}-build`, type: "image_build", occurredAt: at(-8), repository, digest, tags: [sha], service: o.service, commitSha: sha, pipeline,
        builder: "github-actions", stages: 2, sizeBytes: 48_000_000, scan: { scanner: "trivy", counts: { critical: 0, high: 0 } }, secretScan: { passed: true } },
    );
  }
  events.push({
    id: `${runId}-deploy`, type: "deployment", occurredAt: at(0), service: o.service, environment: o.environment, imageRef: `${repository}@${digest}`, digest,
    commitSha: sha, ...(o.human ? { actor: "erin-s", actorType: "human" } : { pipeline, actor: "github-actions[bot]", actorType: "pipeline" }), status: "success",
    description: `Redeploy ${o.service} through the pipeline`,
  });
  if (!o.human) events.push({ id: `${runId}-snapshot`, type: "snapshot", occurredAt: at(5), environment: o.environment, source: "kubernetes", workloads: await lastWorkloads(db, o.environment, o.service, `${repository}@${digest}`, digest) });
  const body = { events };
  await ingestEvents(db, body, JSON.stringify(body));
  await evaluationSettled(db);
  return { digest, deploymentKey: `${runId}-deploy` };
}

/** The environment's last snapshot as snapshot-event workloads, with `service` now running `image` as the pipeline applied it. */
async function lastWorkloads(db: Database, environment: string, service: string, image: string, digest: string) {
  const rows = await queryRows<{ namespace: string; kind: string; name: string; service: string | null; container: string; image_ref: string; digest: string | null; config_hash: string | null; replicas: number }>(
    db,
    sql`select w.* from snapshot_workloads w where w.snapshot_id = (select id from snapshots where environment = ${environment} order by observed_at desc limit 1) order by w.id`,
  );
  const byWorkload = new Map<string, { namespace: string; kind: string; name: string; service?: string; replicas: number; containers: { name: string; image: string; digest: string | null; configHash: string | null }[] }>();
  for (const r of rows) {
    const key = `${r.namespace}/${r.kind}/${r.name}`;
    const ours = (r.service ?? r.name) === service;
    const w = byWorkload.get(key) ?? { namespace: r.namespace, kind: r.kind, name: r.name, ...(r.service ? { service: r.service } : {}), replicas: r.replicas, containers: [] };
    w.containers.push({ name: r.container, image: ours ? image : r.image_ref, digest: ours ? digest : r.digest, configHash: r.config_hash });
    byWorkload.set(key, w);
  }
  return [...byWorkload.values()];
}
