import { sql } from "drizzle-orm";
import { queryRows, type Queryable } from "@/db/client";
import { checkResults, findings, type Finding } from "@/db/schema";
import { subjectKeyOf } from "../evaluation/gates";
import { activeWaivers, type WaiverView } from "../findings/waivers";
import { independentApprovals } from "../policy/approvals";
import { controlsOf, ruleById, rules, type Gate } from "../policy/catalogue";
import type { Control } from "../policy/controls";
import type { DeploymentEvidence } from "../policy/evidence";
import { activePolicy } from "../policy/active";
import { gatherEvidence, groupBy } from "./gather";
import { sourceOfRow, type FactSource } from "./source";
import { rowsFromJson } from "./json-rows";
import { deploymentKeys, resultsOf } from "../partitions/prune";

/** Image findings are keyed by image, not deployment: these rules' open ones are looked up by subject. */
const imageRuleIds = rules.filter((r) => r.kind === "image").map((r) => r.id);

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** The links an evidence chain can lack, named in `missing`. */
export type MissingLink = "digest" | "build" | "pipelineRun" | "commit" | "pullRequest" | "approval" | "stagingDeployment" | "gateResults";

export interface GateCheck {
  /** `merge`, `deployment`, `production-apply`, or `image` for checks of the deployed build. */
  gate: Gate | "image";
  check: string;
  title: string;
  severity: string;
  result: string;
  reason: string;
  evidence: Record<string, unknown>;
  controls: Control[];
  policyVersion: string;
  evaluatedAt: string;
}

export interface ChainFinding {
  id: number;
  ruleId: string;
  severity: string;
  status: string;
  subjectKey: string;
  summary: string;
  openedAt: string;
  resolvedAt: string | null;
  waiver: WaiverView | null;
}

/** API.md's evidence chain: each link, or null, and the names of the links that are missing. */
export interface EvidenceChain {
  service: string;
  environment: string;
  digest: string | null;
  deployment: Record<string, unknown>;
  build: Record<string, unknown> | null;
  pipelineRun: Record<string, unknown> | null;
  deployRun: Record<string, unknown> | null;
  commit: Record<string, unknown> | null;
  pullRequest: Record<string, unknown> | null;
  approvers: string[];
  reviews: Record<string, unknown>[];
  stagingDeployments: Record<string, unknown>[];
  attestations: Record<string, unknown>[];
  gates: GateCheck[];
  findings: ChainFinding[];
  missing: MissingLink[];
  /** Facts linked to this deployment that the source policy does not let checks use, with their sources. */
  notCounted: { fact: string; ref: string; source: FactSource; rule: string; accepts: readonly string[] }[];
}

/** What a deployment's chain is made of: its linked evidence, its stored gate results, its findings and their waivers. */
export interface ChainSources {
  evidence: DeploymentEvidence;
  /** In the catalogue's order. */
  results: (typeof checkResults.$inferSelect)[];
  /** The deployment's findings and the open ones of its image, by id. */
  findings: Finding[];
  waivers: Map<number, WaiverView>;
}

/** The chains of these deployments, in the order of `ids`; unknown ids are left out. */
export async function chainsForDeployments(db: Queryable, ids: readonly number[], now = new Date()): Promise<EvidenceChain[]> {
  return (await chainSources(db, ids, now)).map(toChain);
}

/**
 * The sources of these deployments' chains, in the order of `ids` (unknown ids left out): the API's
 * chain and the dashboard's deployment page are both built from them, so they cannot disagree.
 */
export async function chainSources(db: Queryable, ids: readonly number[], now = new Date()): Promise<ChainSources[]> {
  if (ids.length === 0) return [];
  // The stored results need only the ids: they are read while the evidence is gathered (on another
  // pooled connection), as plain rows (a state-at of 200 services reads 4,600; json_agg of whole
  // records took Postgres three times as long as sending them).
  const [evidence, results] = await Promise.all([gatherEvidence(db, ids, activePolicy(), now), storedResults(db, ids)]);
  const found = [...evidence.keys()];
  if (found.length === 0) return [];
  const imageKeys = [...new Set([...evidence.values()].map((e) => subjectKeyOf("image.sha-tag", e)))];
  // Findings of these deployments or of their images (known once the builds are linked).
  const [row] = await queryRows<{ findings: unknown }>(
    db,
    sql`select (select coalesce(json_agg(f order by f.id), '[]'::json) from findings f
        where f.deployment_id = any(${sql.param(found)}::bigint[])
          or (f.status = 'open' and f.rule_id = any(${sql.param(imageRuleIds)}::text[]) and f.subject_key = any(${sql.param(imageKeys)}::text[]))) as findings`,
  );
  const findingRows = rowsFromJson(findings, row?.findings);
  const waivers = await activeWaivers(db, findingRows, now);
  // Grouped once (a state-at asks for hundreds of deployments: a filter per deployment was quadratic).
  const resultsOf = groupBy(results, (r) => r.deploymentId);
  const findingsOf = groupBy(findingRows, (f) => f.deploymentId);
  // Every image rule keys its findings by the same image subject (subjectKeyOf).
  const imageFindingsOf = groupBy(
    findingRows.filter((f) => f.ruleId.startsWith("image.")),
    (f) => f.subjectKey,
  );
  return ids.flatMap((id) => {
    const e = evidence.get(id);
    if (e === undefined) return [];
    const own = [...(findingsOf.get(id) ?? []), ...(imageFindingsOf.get(subjectKeyOf("image.sha-tag", e)) ?? [])];
    const mine = [...(resultsOf.get(id) ?? [])].sort((a, b) => catalogueOrder(a.ruleId) - catalogueOrder(b.ruleId));
    return [{ evidence: e, results: mine, findings: dedupe(own), waivers }];
  });
}

/** The stored check results of these deployments, read with their months pruned (lib/partitions/prune.ts). */
async function storedResults(db: Queryable, ids: readonly number[]): Promise<(typeof checkResults.$inferSelect)[]> {
  const keys = await deploymentKeys(db, ids);
  if (keys.ids.length === 0) return [];
  return db.select().from(checkResults).where(resultsOf(keys)).orderBy(checkResults.id);
}

/** The links of a chain that have no record, as `missing` names them (approval: an independent one). */
export function missingLinks(e: DeploymentEvidence, gateResults: number): MissingLink[] {
  const d = e.deployment;
  const missing: MissingLink[] = [];
  if (d.digest === null) missing.push("digest");
  if (e.build === null) missing.push("build");
  if (e.buildRun === null) missing.push("pipelineRun");
  if (e.commit === null) missing.push("commit");
  if (e.pullRequest === null) missing.push("pullRequest");
  if (independentApprovals(e).length === 0) missing.push("approval");
  if (e.environment.isProduction && !e.stagingDeployments.some((s) => s.digest === d.digest && s.deployedAt < d.deployedAt)) {
    missing.push("stagingDeployment");
  }
  if (gateResults === 0) missing.push("gateResults");
  return missing;
}

function dedupe(rows: Finding[]): Finding[] {
  return [...new Map(rows.map((r) => [r.id, r])).values()].sort((a, b) => a.id - b.id);
}

function toChain({ evidence: e, results, findings: own, waivers }: ChainSources): EvidenceChain {
  const d = e.deployment;
  const approvers = independentApprovals(e).map((a) => a.reviewer);
  const gates = results.map((r): GateCheck => {
      const head = gateHead(r.ruleId);
      const { reason, ...evidence } = r.evidence;
      return {
        gate: head.gate,
        check: head.check,
        title: head.title,
        severity: head.severity,
        result: r.result,
        reason: typeof reason === "string" ? reason : "",
        evidence,
        controls: head.controls,
        policyVersion: r.policyVersion,
        evaluatedAt: r.evaluatedAt.toISOString(),
      };
    });
  const missing = missingLinks(e, gates.length);
  return {
    service: d.service,
    environment: d.environment,
    digest: d.digest,
    deployment: {
      id: d.id, externalId: d.externalId, imageRef: d.imageRef, digest: d.digest, commitSha: d.commitSha, manifestCommitSha: d.manifestCommitSha,
      pipeline: d.pipelineRunId ? { provider: d.pipelineProvider, runId: d.pipelineRunId } : null,
      actor: d.actor, actorType: d.actorType, changeType: d.changeType, description: d.description, status: d.status, deployedAt: iso(d.deployedAt),
      source: sourceOfRow(d),
      // The deployment named a commit, not a digest: "commit" when its image was inferred as the only one built from it.
      digestLinkedBy: d.digestInferredFrom ? "commit" : d.digest ? "deployment" : null,
      digestCandidates: d.digestCandidates ?? [],
    },
    build: e.build && {
      id: e.build.id, repository: e.build.repository, digest: e.build.digest, tags: e.build.tags, commitSha: e.build.commitSha, builder: e.build.builder,
      pipeline: e.build.pipelineRunId ? { provider: e.build.pipelineProvider, runId: e.build.pipelineRunId } : null, builtAt: iso(e.build.builtAt),
      source: sourceOfRow(e.build),
      ...(d.digestInferredFrom ? { linkedBy: "commit", note: `inferred by commit: the only image built from ${d.digestInferredFrom.slice(0, 12)}` } : {}),
    },
    pipelineRun: e.buildRun && runView(e.buildRun),
    deployRun: e.deployRun && runView(e.deployRun),
    commit: e.commit && {
      sha: e.commit.sha, repository: e.commit.repository, message: e.commit.message, author: e.commit.authorLogin ?? e.commit.authorName,
      committedAt: iso(e.commit.committedAt), url: e.commit.url, source: sourceOfRow(e.commit),
    },
    pullRequest: e.pullRequest && {
      id: e.pullRequest.id, ref: `${e.pullRequest.repository}#${e.pullRequest.number}`, repository: e.pullRequest.repository, number: e.pullRequest.number,
      title: e.pullRequest.title, author: e.pullRequest.author, merged: e.pullRequest.merged, mergedAt: iso(e.pullRequest.mergedAt),
      mergedBy: e.pullRequest.mergedBy, mergeCommitSha: e.pullRequest.mergeCommitSha, headSha: e.pullRequest.headSha, url: e.pullRequest.url,
      source: sourceOfRow(e.pullRequest),
    },
    approvers,
    reviews: [...e.reviews]
      .sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime())
      .map((r) => ({ id: r.id, externalId: r.externalId, reviewer: r.reviewer, state: r.state, commitSha: r.commitSha, submittedAt: iso(r.submittedAt), source: sourceOfRow(r) })),
    stagingDeployments: e.stagingDeployments.map((s) => ({
      id: s.id, externalId: s.externalId, environment: s.environment, digest: s.digest, commitSha: s.commitSha, status: s.status, deployedAt: iso(s.deployedAt), source: sourceOfRow(s),
    })),
    attestations: Object.values(e.attestations)
      .flat()
      .sort((a, b) => a.observedAt.getTime() - b.observedAt.getTime() || a.id - b.id)
      .slice(-50)
      .map((a) => ({ id: a.id, type: a.type, subject: a.subject, environment: a.environment, result: a.result, observedAt: iso(a.observedAt), source: sourceOfRow(a) })),
    gates,
    findings: own.map((f) => ({
      id: f.id, ruleId: f.ruleId, severity: f.severity, status: f.status, subjectKey: f.subjectKey, summary: f.summary,
      openedAt: f.openedAt.toISOString(), resolvedAt: iso(f.resolvedAt), waiver: waivers.get(f.id) ?? null,
    })),
    missing,
    notCounted: e.setAside.map((a) => ({ fact: a.fact, ref: a.ref, source: a.source, rule: a.rule, accepts: a.accepts })),
  };
}

/** What a rule says of itself, given once per answer where many chains would repeat it (state-at). */
export interface RuleSummary {
  gate: Gate | "image";
  title: string;
  severity: string;
  controls: Control[];
}

/** A gate check that names its rule (`check`) and leaves the rule's title, severity and controls to `rules`. */
export type LeanGateCheck = Omit<GateCheck, "title" | "severity" | "controls">;
export type LeanEvidenceChain = Omit<EvidenceChain, "gates"> & { gates: LeanGateCheck[] };

/**
 * These chains with each rule's title, severity and controls given once, in `rules` (by rule id, in
 * the catalogue's order), instead of in every gate check: a state-at of 200 services shows 4,600
 * gate checks, and their repeated rule text was 1.24 MB of its 2.66 MB.
 */
export function withRulesOnce<C extends EvidenceChain>(chains: readonly C[]): { rules: Record<string, RuleSummary>; chains: (Omit<C, "gates"> & { gates: LeanGateCheck[] })[] } {
  const seen = new Set<string>();
  const lean = chains.map((c) => ({
    ...c,
    gates: c.gates.map((g): LeanGateCheck => {
      seen.add(g.check);
      return { gate: g.gate, check: g.check, result: g.result, reason: g.reason, evidence: g.evidence, policyVersion: g.policyVersion, evaluatedAt: g.evaluatedAt };
    }),
  }));
  const rules: Record<string, RuleSummary> = {};
  for (const id of [...seen].sort((a, b) => catalogueOrder(a) - catalogueOrder(b))) {
    const { gate, title, severity, controls } = gateHead(id);
    rules[id] = { gate, title, severity, controls };
  }
  return { rules, chains: lean };
}

type GateHead = Pick<GateCheck, "gate" | "check" | "title" | "severity" | "controls">;
const gateHeads = new Map<string, GateHead>();

/**
 * What a gate check shows of its rule, made once per rule and shared (frozen) by every chain: a
 * state-at of 200 services shows 4,600 gate checks, and each used to build its controls anew.
 */
function gateHead(ruleId: string): GateHead {
  let head = gateHeads.get(ruleId);
  if (head === undefined) {
    const rule = ruleById(ruleId);
    const controls = Object.freeze(controlsOf(rule).map((c) => Object.freeze(c))) as Control[];
    head = { gate: rule.kind === "gate" ? (rule.gate as Gate) : "image", check: rule.id, title: rule.title, severity: rule.severity, controls };
    gateHeads.set(ruleId, head);
  }
  return head;
}

function runView(r: NonNullable<DeploymentEvidence["buildRun"]>): Record<string, unknown> {
  return {
    id: r.id, provider: r.provider, runId: r.runId, attempt: r.attempt, workflow: r.workflow, commitSha: r.commitSha, event: r.event,
    actor: r.actor, status: r.status, conclusion: r.conclusion, startedAt: iso(r.startedAt), completedAt: iso(r.completedAt), url: r.url,
    source: sourceOfRow(r),
  };
}

const order = new Map<string, number>(rules.map((r, i) => [r.id, i]));
const catalogueOrder = (id: string): number => order.get(id) ?? order.size;
