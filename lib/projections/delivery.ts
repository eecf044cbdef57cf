import { sql } from "drizzle-orm";
import { bulkInsert, onConflictNothing, onConflictUpdate } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { deployments, environments, imageBuilds, pipelineRuns, services } from "@/db/schema";
import type { EventOf } from "../events/schema";
import { chunks, excluded, foldNewerWins, groupBy, newerWins } from "./merge";
import { bySender, standingSender } from "./sourced";
import type { Touched } from "./touched";

export async function applyPipelineRuns(tx: Queryable, events: EventOf<"pipeline_run">[], touched: Touched): Promise<void> {
  const rows = [...groupBy(events, (e) => `${e.provider}:${e.runId}:${e.attempt}`).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const row = foldNewerWins(
      group.map((e) => ({
        provider: e.provider,
        runId: e.runId,
        attempt: e.attempt,
        repository: e.repository ?? null,
        workflow: e.workflow ?? null,
        commitSha: e.commitSha ?? null,
        branch: e.branch ?? null,
        event: e.event ?? null,
        actor: e.actor ?? null,
        triggeringActor: e.triggeringActor ?? null,
        status: e.status,
        conclusion: e.conclusion ?? null,
        startedAt: e.startedAt ? new Date(e.startedAt) : null,
        completedAt: e.completedAt ? new Date(e.completedAt) : null,
        url: e.url ?? null,
        sourceUpdatedAt: new Date(e.occurredAt),
      })),
      "sourceUpdatedAt",
    );
    return { ...row, ...columns };
  });
  const keys = ["repository", "workflow", "commitSha", "branch", "event", "actor", "triggeringActor", "status", "conclusion", "startedAt", "completedAt", "url"];
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(
      tx,
      pipelineRuns,
      batch,
      onConflictUpdate([pipelineRuns.provider, pipelineRuns.runId, pipelineRuns.attempt], bySender(pipelineRuns, newerWins(pipelineRuns, keys, "sourceUpdatedAt"), "sourceUpdatedAt"), pipelineRuns),
    );
  }
  for (const r of rows) if (r.commitSha) touched.commitShas.add(r.commitSha);
}

export async function applyImageBuilds(tx: Queryable, events: EventOf<"image_build">[], touched: Touched): Promise<void> {
  const rows = [...groupBy(events, (e) => `${e.repository}@${e.digest}`).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const folded = foldNewerWins(
      group.map((e) => ({
        service: e.service ?? null,
        repository: e.repository,
        digest: e.digest,
        tags: e.tags,
        commitSha: e.commitSha ?? null,
        pipelineProvider: e.pipeline?.provider ?? null,
        pipelineRunId: e.pipeline?.runId ?? null,
        builder: e.builder ?? null,
        baseImages: e.baseImages?.map((b) => ({ ref: b.ref, digest: b.digest ?? null })) ?? null,
        stages: e.stages ?? null,
        sizeBytes: e.sizeBytes ?? null,
        scan: e.scan ?? null,
        secretScan: e.secretScan ?? null,
        provenance: e.provenance ?? null,
        builtAt: new Date(e.occurredAt),
      })),
      "builtAt",
    );
    const tags = [...new Set(group.flatMap((e) => e.tags))].sort();
    const builtAt = new Date(Math.min(...group.map((e) => Date.parse(e.occurredAt))));
    return { ...folded, tags, builtAt, ...columns };
  });
  const coalesced = ["service", "commitSha", "pipelineProvider", "pipelineRunId", "builder", "baseImages", "stages", "sizeBytes", "scan", "secretScan", "provenance"];
  const set: Record<string, ReturnType<typeof sql>> = {
    tags: sql`array(select distinct t from unnest(${imageBuilds.tags} || ${excluded("tags")}) as t order by t)`,
    builtAt: sql`least(${imageBuilds.builtAt}, ${excluded("builtAt")})`,
  };
  const cols = imageBuilds as unknown as Record<string, unknown>;
  for (const k of coalesced) set[k] = sql`coalesce(${cols[k]}, ${excluded(k)})`;
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(tx, imageBuilds, batch, onConflictUpdate([imageBuilds.repository, imageBuilds.digest], bySender(imageBuilds, set), imageBuilds));
  }
  for (const r of rows) {
    touched.digests.add(r.digest);
    if (r.commitSha) touched.commitShas.add(r.commitSha);
    if (r.service) touched.services.add(r.service);
  }
}

const deploymentKeys = [
  "service",
  "environment",
  "imageRef",
  "digest",
  "manifestCommitSha",
  "commitSha",
  "pipelineProvider",
  "pipelineRunId",
  "actor",
  "actorType",
  "changeType",
  "description",
  "status",
];

export async function applyDeployments(tx: Queryable, events: EventOf<"deployment">[], touched: Touched): Promise<void> {
  const rows = [...groupBy(events, (e) => e.deploymentId ?? e.id).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const folded = foldNewerWins(
      group.map((e) => ({
        externalId: e.deploymentId ?? e.id,
        service: e.service,
        environment: e.environment,
        imageRef: e.imageRef,
        digest: e.digest ?? digestInRef(e.imageRef),
        manifestCommitSha: e.manifestCommitSha ?? null,
        commitSha: e.commitSha ?? null,
        pipelineProvider: e.pipeline?.provider ?? null,
        pipelineRunId: e.pipeline?.runId ?? null,
        actor: e.actor ?? null,
        actorType: e.actorType,
        changeType: e.changeType,
        description: e.description ?? null,
        status: e.status,
        deployedAt: new Date(e.occurredAt),
        sourceUpdatedAt: new Date(e.occurredAt),
      })),
      "sourceUpdatedAt",
    );
    // A deployment happened when it was first reported, whatever order its status updates arrive in.
    return { ...folded, deployedAt: new Date(Math.min(...group.map((e) => Date.parse(e.occurredAt)))), ...columns };
  });
  await ensureServicesAndEnvironments(
    tx,
    rows.map((r) => r.service),
    rows.map((r) => r.environment),
  );
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(
      tx,
      deployments,
      batch,
      onConflictUpdate(
        [deployments.externalId],
        bySender(
          deployments,
          { ...newerWins(deployments, deploymentKeys, "sourceUpdatedAt"), deployedAt: sql`least(${deployments.deployedAt}, ${excluded("deployedAt")})` },
          "sourceUpdatedAt",
        ),
        deployments,
      ),
    );
  }
  for (const r of rows) {
    touched.deploymentKeys.add(r.externalId);
    touched.environments.add(r.environment);
    touched.services.add(r.service);
    if (r.digest) touched.digests.add(r.digest);
  }
}

/** `repo@sha256:...` pins the digest in the reference itself. */
export function digestInRef(ref: string): string | null {
  const m = /@(sha256:[a-f0-9]{64})$/.exec(ref);
  return m?.[1] ?? null;
}

const knownRanks: Record<string, number> = { development: 0, dev: 0, test: 0, qa: 1, staging: 1, stage: 1, production: 2, prod: 2 };

export async function ensureServicesAndEnvironments(tx: Queryable, serviceNames: string[], envNames: string[]): Promise<void> {
  const svc = [...new Set(serviceNames)];
  const envs = [...new Set(envNames)];
  if (svc.length > 0) await bulkInsert(tx, services, svc.map((name) => ({ name })), onConflictNothing());
  if (envs.length > 0) {
    await bulkInsert(
      tx,
      environments,
      envs.map((name) => ({ name, rank: knownRanks[name] ?? 0, isProduction: (knownRanks[name] ?? 0) === 2 })),
      onConflictNothing(),
    );
  }
}
