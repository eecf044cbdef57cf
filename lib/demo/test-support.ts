import type { CustodyEvent, EventOf } from "@/lib/events/schema";

/** Lookups over generated events, for tests that check the demo tells the stories it claims to. */
export type DemoIndex = ReturnType<typeof indexEvents>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** With `service`, only that service's changes, builds, deployments and workloads are visible. */
export function indexEvents(events: readonly CustodyEvent[], service?: string) {
  const ours = (name: string | undefined) => service === undefined || name === service;
  const ourRepo = (repository: string) => service === undefined || repository === `acme/${service}` || repository === `acme/platform/${service}`;
  const of = <T extends CustodyEvent["type"]>(type: T) => events.filter((e): e is EventOf<T> => e.type === type);
  const deployments = of("deployment").filter((d) => ours(d.service));
  const builds = of("image_build").filter((b) => ours(b.service));
  const snapshots = of("snapshot").map((s) => ({ ...s, workloads: s.workloads.filter((w) => ours(w.service)) }));
  const prs = new Map<string, EventOf<"pull_request">>();
  for (const pr of of("pull_request")) if (ourRepo(pr.repository)) prs.set(`${pr.repository}#${pr.number}`, pr);
  const merged = [...prs.values()].filter((pr) => pr.merged);
  const reviews = of("review").filter((r) => ourRepo(r.repository));
  const approvalsOf = (pr: EventOf<"pull_request">) =>
    reviews.filter((r) => r.repository === pr.repository && r.pullNumber === pr.number && r.state === "approved");
  const prByMergeSha = new Map(merged.flatMap((pr) => (pr.mergeCommitSha ? [[pr.mergeCommitSha, pr] as const] : [])));
  const buildOf = (digest: string | undefined) => builds.find((b) => b.digest === digest);
  const deployedIn = (environment: string, digest: string | undefined) =>
    deployments.some((d) => d.environment === environment && d.digest === digest);
  const production = deployments.filter((d) => d.environment === "production");
  const attestations = of("attestation");
  const finalSnapshot = (environment: string) => snapshots.filter((s) => s.environment === environment).at(-1);
  const time = (e: { occurredAt: string }) => Date.parse(e.occurredAt);
  const backupWithinDay = (d: EventOf<"deployment">) =>
    attestations.some((a) => a.attestationType === "backup-verification" && a.environment === "production" && time(a) <= time(d) && time(d) - time(a) <= DAY_MS);
  return {
    events, of, deployments, builds, snapshots, merged, reviews, approvalsOf, prByMergeSha, buildOf, deployedIn, production,
    attestations, finalSnapshot, time, backupWithinDay, audits: of("k8s_audit"), gitops: of("gitops_status").filter((g) => ours(g.service)), checks: of("check_run").filter((c) => ourRepo(c.repository)),
  };
}

const CI_BUILDER = "github-actions";
const MANUAL_TEXT = /kubectl\s+(apply|cp|edit|exec|patch)|\bssh\b/;

/** For each scenario id: does the generated data contain the events that make its rules fail? */
export const scenarioChecks: Record<string, (ix: DemoIndex) => boolean> = {
  "self-approval": (ix) =>
    ix.merged.some((pr) => {
      const approvals = ix.approvalsOf(pr);
      return approvals.length > 0 && approvals.every((r) => r.reviewer === pr.author);
    }),
  "stale-approval": (ix) =>
    ix.merged.some((pr) => {
      const approvals = ix.approvalsOf(pr);
      return approvals.length > 0 && approvals.every((r) => r.commitSha !== pr.headSha);
    }),
  "manual-instructions": (ix) => ix.merged.some((pr) => MANUAL_TEXT.test(pr.body)),
  "failed-check": (ix) => ix.checks.some((c) => c.conclusion === "failure" && ix.prByMergeSha.has(c.headSha)),
  "skipped-check": (ix) => ix.checks.some((c) => c.conclusion === "skipped" && ix.prByMergeSha.has(c.headSha)),
  "tag-mismatch": (ix) =>
    ix.production.some((d) => {
      const build = ix.buildOf(d.digest);
      return build !== undefined && d.commitSha !== undefined && build.commitSha !== d.commitSha && !build.tags.includes(d.commitSha);
    }),
  "no-manifest": (ix) => ix.production.some((d) => d.manifestCommitSha === undefined),
  "human-deploy": (ix) =>
    ix.production.some((d) => d.actorType === "human" && d.actor !== ix.prByMergeSha.get(d.commitSha ?? "")?.author),
  "author-deploys": (ix) =>
    ix.production.some((d) => d.actorType === "human" && d.actor === ix.prByMergeSha.get(d.commitSha ?? "")?.author),
  "rebuilt-for-production": (ix) =>
    ix.production.some((d) => {
      const staged = ix.deployments.find((s) => s.environment === "staging" && s.commitSha === d.commitSha);
      return staged !== undefined && staged.digest !== d.digest && !ix.deployedIn("staging", d.digest);
    }),
  "emergency-before-approval": (ix) =>
    ix.production.some((d) => {
      const pr = ix.prByMergeSha.get(d.commitSha ?? "");
      const approvals = pr ? ix.approvalsOf(pr).filter((r) => r.reviewer !== pr.author) : [];
      return d.changeType === "emergency" && approvals.length > 0 && approvals.every((r) => ix.time(r) > ix.time(d));
    }),
  "no-backup": (ix) => ix.production.some((d) => !ix.backupWithinDay(d)),
  "network-check-failed": (ix) =>
    ix.production.some((d) =>
      ix.attestations.some((a) => a.attestationType === "network-check" && a.subject === d.digest && a.result === "fail" && ix.time(a) <= ix.time(d))),
  "no-rollback-test": (ix) =>
    ix.production.some((d) => ix.deployedIn("staging", d.digest) && !ix.attestations.some((a) => a.attestationType === "rollback-test" && a.subject === d.digest)),
  "rollback-test-failed": (ix) =>
    ix.production.some((d) =>
      ix.attestations.some((a) => a.attestationType === "rollback-test" && a.subject === d.digest && a.result === "fail" && ix.time(a) <= ix.time(d))),
  "unpinned-base": (ix) => ix.builds.some((b) => (b.baseImages ?? []).some((base) => !base.digest)),
  "single-stage": (ix) => ix.builds.some((b) => b.stages === 1),
  "oversize-image": (ix) => ix.builds.some((b) => (b.sizeBytes ?? 0) > 2 * 1024 ** 3),
  "critical-vulnerabilities": (ix) => ix.builds.some((b) => (b.scan?.counts.critical ?? 0) > 0),
  "secret-in-image": (ix) => ix.builds.some((b) => b.secretScan?.passed === false),
  "local-build": (ix) =>
    (ix.finalSnapshot("production")?.workloads ?? []).some((w) =>
      w.containers.some((c) => {
        const build = ix.buildOf(c.digest ?? undefined);
        return build !== undefined && build.builder !== CI_BUILDER && build.pipeline === undefined && ix.deployedIn("production", c.digest ?? undefined);
      })),
  "latest-tag": (ix) =>
    ix.production.some((d) => d.imageRef.endsWith(":latest")) &&
    ix.builds.some((b) => b.tags.includes("latest")) &&
    (ix.finalSnapshot("production")?.workloads ?? []).some((w) => w.containers.some((c) => c.image.endsWith(":latest"))),
  "skipped-staging": (ix) =>
    (ix.finalSnapshot("production")?.workloads ?? []).some((w) =>
      w.containers.some((c) => ix.deployedIn("production", c.digest ?? undefined) && !ix.deployedIn("staging", c.digest ?? undefined))),
  "hot-patch": (ix) =>
    (ix.finalSnapshot("production")?.workloads ?? []).some((w) => {
      const digest = w.containers[0]?.digest ?? undefined;
      const unrecorded = !ix.deployments.some((d) => d.digest === digest) && ix.buildOf(digest) === undefined;
      const edited = (w.managers ?? []).some((m) => m.manager === "kubectl-edit");
      const exec = ix.audits.some((a) => a.environment === "production" && a.subresource === "exec" && a.verb === "create" &&
        !a.username.startsWith("system:") && (a.name ?? "").startsWith(`${w.name}-`));
      return unrecorded && edited && exec;
    }),
  "manual-apply": (ix) =>
    (ix.finalSnapshot("production")?.workloads ?? []).some((w) =>
      w.lastAppliedBy === "kubectl-client-side-apply" && (w.managers ?? []).some((m) => m.manager === "kubectl-client-side-apply")),
  "config-edited": (ix) => {
    const prod = ix.snapshots.filter((s) => s.environment === "production");
    return prod.some((snap, i) => {
      const before = prod[i - 1];
      if (!before) return false;
      return snap.workloads.some((w) => {
        const old = before.workloads.find((o) => o.name === w.name)?.containers[0];
        const now = w.containers[0];
        const redeployed = ix.production.some((d) => d.service === w.service && ix.time(d) > ix.time(before) && ix.time(d) <= ix.time(snap));
        return old !== undefined && now !== undefined && old.digest === now.digest && old.configHash !== now.configHash && !redeployed;
      });
    });
  },
  "argocd-manual-sync": (ix) => ix.gitops.some((g) => g.environment === "production" && g.tool === "argocd" && g.lastSync?.automated === false && g.lastSync.by !== undefined && g.selfHeal === false),
  "argocd-out-of-sync": (ix) => ix.gitops.some((g) => g.environment === "production" && g.syncStatus === "OutOfSync"),
  "flux-suspended": (ix) => ix.gitops.some((g) => g.environment === "production" && g.tool === "flux" && g.suspended === true),
  "unrecorded-workload": (ix) =>
    (ix.finalSnapshot("production")?.controllers ?? []).some((c) => !ix.production.some((d) => d.service === c.service)),
  "manual-migration": (ix) => {
    const recorded = new Set(ix.of("migration").filter((m) => m.pipeline !== undefined).map((m) => `${m.database}/${m.migration.id}`));
    const last = ix.of("migration_snapshot").filter((s) => s.environment === "production").at(-1);
    return recorded.size > 0 && (last?.migrations ?? []).some((m) => !recorded.has(`${last?.database}/${m.id}`) && m.appliedBy !== undefined);
  },
  "untagged-kept": (ix) =>
    ix.of("registry_tags").some((l) => (l.untagged ?? []).some((u) => u.pushedAt !== null && Date.parse(l.occurredAt) - Date.parse(u.pushedAt) > 7 * DAY_MS)),
  "rollback-gap": (ix) => {
    const perService = new Map<string, number>();
    for (const b of ix.builds) perService.set(b.service ?? "", (perService.get(b.service ?? "") ?? 0) + 1);
    return [...perService.values()].some((n) => n < 10);
  },
};
