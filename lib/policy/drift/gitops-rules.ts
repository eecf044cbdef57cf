import type { DriftRuleId } from "../catalogue";

/** The latest status of one Argo CD / Flux object, as the drift rules read it. */
export interface GitopsObservation {
  environment: string;
  tool: string;
  namespace: string;
  kind: string;
  name: string;
  revision: string | null;
  syncStatus: string | null;
  automated: boolean | null;
  selfHeal: boolean | null;
  suspended: boolean | null;
  lastSyncBy: string | null;
  lastSyncAutomated: boolean | null;
  lastSyncAt: Date | null;
  observedAt: Date;
}

export interface GitopsOutcome {
  ruleId: Extract<DriftRuleId, `drift.gitops-${string}`>;
  result: "pass" | "fail";
  reason: string;
  /** The person a failure names, when there is one. */
  actor: string | null;
}

const label = (o: GitopsObservation) => `${o.tool === "argocd" ? "Argo CD" : "Flux"} ${o.kind} ${o.namespace}/${o.name} in ${o.environment}`;

/**
 * The GitOps drift rules for one object in an enforced (production) environment. Pure: a rule whose
 * field the observation does not carry (a Flux event says nothing about suspension) gives nothing.
 */
export function judgeGitops(o: GitopsObservation): GitopsOutcome[] {
  const out: GitopsOutcome[] = [];
  if (o.lastSyncAutomated !== null) {
    out.push(
      o.lastSyncAutomated
        ? { ruleId: "drift.gitops-manual-sync", result: "pass", reason: `${label(o)} was last synced by its automated policy.`, actor: null }
        : {
            ruleId: "drift.gitops-manual-sync",
            result: "fail",
            reason: `${label(o)} was last synced by hand by ${o.lastSyncBy ?? "an unnamed person"}${o.lastSyncAt ? ` at ${o.lastSyncAt.toISOString()}` : ""}${o.revision ? ` (revision ${o.revision})` : ""}.`,
            actor: o.lastSyncBy,
          },
    );
  }
  if (o.syncStatus !== null && o.syncStatus !== "Unknown") {
    out.push(
      o.syncStatus === "OutOfSync"
        ? { ruleId: "drift.gitops-out-of-sync", result: "fail", reason: `${label(o)} is OutOfSync with git${o.revision ? ` (revision ${o.revision})` : ""}.`, actor: null }
        : { ruleId: "drift.gitops-out-of-sync", result: "pass", reason: `${label(o)} is ${o.syncStatus}.`, actor: null },
    );
  }
  if (o.tool === "argocd" && o.automated !== null) {
    const healing = o.automated && o.selfHeal === true;
    const why = !o.automated ? "has no automated sync policy" : "has automated sync with self-heal disabled";
    out.push(
      healing
        ? { ruleId: "drift.gitops-self-heal-off", result: "pass", reason: `${label(o)} syncs automatically and heals itself.`, actor: null }
        : { ruleId: "drift.gitops-self-heal-off", result: "fail", reason: `${label(o)} ${why}: a change made in the cluster would stay.`, actor: null },
    );
  }
  if (o.suspended !== null) {
    out.push(
      o.suspended
        ? { ruleId: "drift.gitops-suspended", result: "fail", reason: `${label(o)} is suspended: git no longer decides what runs.`, actor: null }
        : { ruleId: "drift.gitops-suspended", result: "pass", reason: `${label(o)} reconciles.`, actor: null },
    );
  }
  return out;
}

/** The finding subject of an object: `production/argocd/argocd/Application/checkout`. */
export const gitopsSubject = (o: Pick<GitopsObservation, "environment" | "tool" | "namespace" | "kind" | "name">): string =>
  `${o.environment}/${o.tool}/${o.namespace}/${o.kind}/${o.name}`;
