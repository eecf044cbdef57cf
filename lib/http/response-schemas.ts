import { z } from "zod";

/**
 * The shapes the read API answers, as zod schemas: the OpenAPI document's response schemas are
 * generated from these (z.toJSONSchema), and lib/http/openapi-responses.test.ts parses real answers
 * with them, so the document cannot drift from what the routes send. Objects are open (a field may
 * be added without breaking a client); the fields listed are the contract.
 */

const when = z.iso.datetime({ offset: true });
const maybe = <T extends z.ZodType>(t: T) => t.nullable();

export const errorCodes = [
  "VALIDATION", "MALFORMED_JSON", "UNAUTHENTICATED", "BAD_SIGNATURE", "FORBIDDEN", "NOT_FOUND", "METHOD_NOT_ALLOWED", "CONFLICT",
  "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "RATE_LIMITED", "UNAVAILABLE",
] as const;

export const errorResponse = z.object({
  error: z.object({ code: z.enum(errorCodes), message: z.string(), requestId: z.string() }),
});

export const source = z.looseObject({
  kind: z.enum(["github-webhook", "gitlab-webhook", "token", "attestation", "cli"]),
  id: z.string(),
  verified: z.boolean(),
});

export const acceptedResponse = z.object({ accepted: z.int().min(0), duplicates: z.int().min(0) });
export const webhookResponse = z.object({ delivery: z.string(), status: z.enum(["stored", "duplicate"]) });

const control = z.looseObject({ framework: z.enum(["iso27001", "soc2"]), id: z.string(), title: z.string() });

const gateResult = z.looseObject({
  gate: z.string(),
  check: z.string(),
  title: z.string(),
  severity: z.string(),
  result: z.enum(["pass", "fail", "missing-evidence"]),
  reason: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  controls: z.array(control),
  policyVersion: z.string(),
  evaluatedAt: when,
});

const chainFinding = z.looseObject({
  id: z.int(),
  ruleId: z.string(),
  severity: z.string(),
  status: z.string(),
  subjectKey: z.string(),
  summary: z.string(),
  openedAt: when,
  resolvedAt: maybe(when),
});

const link = z.looseObject({ source: source.optional() });

/** An evidence chain: each link or null, and `missing` naming the links that could not be followed. */
export const evidenceChain = z.looseObject({
  service: z.string(),
  environment: z.string(),
  digest: maybe(z.string()),
  deployment: maybe(link.extend({ id: z.int(), externalId: z.string(), imageRef: z.string(), status: z.string(), deployedAt: when })),
  build: maybe(link.extend({ repository: z.string(), digest: z.string() })),
  pipelineRun: maybe(link.extend({ provider: z.string(), runId: z.string() })),
  deployRun: maybe(link),
  commit: maybe(link.extend({ sha: z.string() })),
  pullRequest: maybe(link.extend({ repository: z.string(), number: z.int() })),
  approvers: z.array(z.string()),
  reviews: z.array(link),
  stagingDeployments: z.array(z.looseObject({})),
  attestations: z.array(link),
  gates: z.array(gateResult),
  findings: z.array(chainFinding),
  missing: z.array(z.string()),
  notCounted: z.array(z.unknown()),
});

export const deploymentResponse = evidenceChain.extend({
  provenance: z.looseObject({ digest: maybe(z.string()), state: z.string(), status: z.string(), signatureVerified: z.boolean() }).nullable(),
  decisions: z.array(z.looseObject({})),
});

const deploymentSummary = z.looseObject({
  id: z.int(),
  externalId: z.string(),
  service: z.string(),
  environment: z.string(),
  imageRef: z.string(),
  digest: maybe(z.string()),
  commitSha: maybe(z.string()),
  actor: maybe(z.string()),
  actorType: z.string(),
  changeType: z.string(),
  status: z.string(),
  deployedAt: when,
});

export const deploymentsResponse = z.object({ items: z.array(deploymentSummary), nextCursor: maybe(z.string()) });

const observedWorkload = z.looseObject({
  service: z.string(),
  verdict: z.string(),
  observedDigest: maybe(z.string()),
  observed: z.array(z.looseObject({ namespace: z.string(), kind: z.string(), name: z.string(), imageRef: z.string(), digest: maybe(z.string()) })),
  recorded: maybe(z.looseObject({ digest: maybe(z.string()), deploymentId: z.int(), deployedAt: when })),
  openFindings: z.int(),
  openDriftFindings: z.int(),
  worstSeverity: maybe(z.string()),
  incidents: z.array(z.looseObject({})),
});

export const environmentsResponse = z.object({
  environments: z.array(
    z.looseObject({
      name: z.string(),
      rank: z.number(),
      isProduction: z.boolean(),
      services: z.array(z.unknown()),
      lastDeploymentAt: maybe(when),
      lastSnapshotAt: maybe(when),
      openFindings: z.int(),
      snapshot: maybe(z.looseObject({ id: z.int(), observedAt: when, ageSeconds: z.number() })),
      openIncidents: z.int(),
      wrong: z.int(),
      observed: z.array(observedWorkload),
    }),
  ),
  openFindings: z.object({ total: z.int(), byEnvironment: z.record(z.string(), z.int()), withoutEnvironment: z.int() }),
});

/** A state-at gate check names its rule; the rule's title, severity and controls are in the answer's `rules`. */
const leanGateResult = gateResult.omit({ title: true, severity: true, controls: true });

export const environmentStateResponse = z.looseObject({
  environment: z.string(),
  at: when,
  workloads: z.array(evidenceChain.extend({ gates: z.array(leanGateResult), observed: z.array(z.unknown()).optional() })),
  rules: z.record(z.string(), z.looseObject({ gate: z.string(), title: z.string(), severity: z.string(), controls: z.array(control) })),
  snapshot: maybe(z.looseObject({ id: z.int(), observedAt: when })),
});

const findingItem = z.looseObject({
  id: z.int(),
  ruleId: z.string(),
  title: z.string(),
  kind: z.string(),
  severity: z.string(),
  status: z.enum(["open", "resolved"]),
  subjectKey: z.string(),
  environment: maybe(z.string()),
  service: maybe(z.string()),
  deploymentId: maybe(z.int()),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  openedAt: when,
  resolvedAt: maybe(when),
  policyVersion: maybe(z.string()),
  waiver: maybe(z.looseObject({})),
});

export const findingsResponse = z.object({ items: z.array(findingItem), nextCursor: maybe(z.string()) });

export const waiversResponse = z.object({ waivers: z.array(z.looseObject({ id: z.int() })), requests: z.array(z.looseObject({ id: z.int() })) });

export const incidentsResponse = z.object({
  items: z.array(z.looseObject({ id: z.int(), title: z.string(), status: z.string(), openedAt: when })),
  nextCursor: maybe(z.string()),
});

const stage = z.looseObject({ environment: z.string(), digest: maybe(z.string()), imageRef: z.string(), deploymentId: z.int(), deployedAt: when });
export const promotionResponse = z.looseObject({
  at: when,
  environments: z.array(z.string()),
  stagingEnvironments: z.array(z.string()),
  productionEnvironments: z.array(z.string()),
  services: z.array(z.looseObject({ service: z.string(), stages: z.record(z.string(), stage), passedStagingFirst: maybe(z.boolean()) })),
});

export const traceResponse = z.looseObject({
  ref: z.string(),
  matchedAs: z.array(z.string()),
  chains: z.array(evidenceChain),
  truncated: z.boolean(),
  observed: z
    .looseObject({
      digest: z.string(),
      hasPipelineChain: z.boolean(),
      runs: z.array(z.looseObject({ environment: z.string(), name: z.string(), firstSeenAt: when, lastSeenAt: when, runningNow: z.boolean() })),
      findings: z.array(z.unknown()),
      people: z.array(z.unknown()),
      incidents: z.array(z.unknown()),
    })
    .optional(),
});

export const ledgerVerifyResponse = z.object({ ok: z.boolean(), events: z.int().min(0), head: z.string(), firstBadSeq: maybe(z.int()) });

export const checkpointsResponse = z.object({
  checkpoints: z.array(z.looseObject({ treeSize: z.int(), rootHash: z.string(), signedAt: when, trigger: z.string(), keyId: z.string(), note: z.string() })),
  nextCursor: maybe(z.string()),
});

export const keysResponse = z.object({
  keys: z.array(z.looseObject({ keyId: z.string(), algorithm: z.literal("Ed25519"), publicKeyPem: z.string(), jwk: z.looseObject({ kty: z.string(), crv: z.string() }) })),
});

export const decisionResponse = z.looseObject({
  decision: z.enum(["allow", "deny", "warn"]),
  checks: z.array(z.looseObject({})),
  policyVersion: z.string(),
  decisionId: z.string(),
});

export const auditLogResponse = z.object({
  entries: z.array(z.looseObject({ seq: z.int(), at: when, actor: z.string(), action: z.string() })),
  nextCursor: maybe(z.string()),
});

/** Component name in the OpenAPI document → schema. */
export const notificationTargetsResponse = z.looseObject({
  subscriptions: z.array(z.looseObject({ id: z.number(), name: z.string(), kind: z.enum(["webhook", "slack"]), topics: z.array(z.string()), enabled: z.boolean() })),
  deliveries: z.array(z.looseObject({ id: z.number(), topic: z.string(), status: z.string(), attempts: z.number() })),
});

const engagementListItem = z.looseObject({
  id: z.number(), name: z.string(), framework: z.string(), from: when, to: when, state: z.string(), treeSize: z.number(), endsAt: when,
});
export const engagementsResponse = z.looseObject({ engagements: z.array(engagementListItem) });
export const engagementResponse = z.looseObject({
  id: z.number(), name: z.string(), framework: z.string(), state: z.string(), endsAt: when,
  period: z.looseObject({ from: when, to: when }),
  frozen: z.looseObject({ treeSize: z.number(), rootHash: z.string(), at: when }),
});
export const engagementPopulationResponse = z.looseObject({ treeSize: z.number(), rootHash: z.string(), changes: z.array(z.looseObject({})) });
export const engagementRequestsResponse = z.looseObject({ requests: z.array(z.looseObject({})) });

export const responseSchemas = {
  Error: errorResponse,
  Accepted: acceptedResponse,
  WebhookDelivery: webhookResponse,
  EvidenceChain: evidenceChain,
  Deployment: deploymentResponse,
  Deployments: deploymentsResponse,
  Environments: environmentsResponse,
  EnvironmentState: environmentStateResponse,
  Findings: findingsResponse,
  Waivers: waiversResponse,
  Incidents: incidentsResponse,
  Promotion: promotionResponse,
  Trace: traceResponse,
  LedgerVerify: ledgerVerifyResponse,
  Checkpoints: checkpointsResponse,
  Keys: keysResponse,
  Decision: decisionResponse,
  AuditLog: auditLogResponse,
  NotificationTargets: notificationTargetsResponse,
  Engagements: engagementsResponse,
  Engagement: engagementResponse,
  EngagementPopulation: engagementPopulationResponse,
  EngagementRequests: engagementRequestsResponse,
} as const;
export type ResponseSchemaName = keyof typeof responseSchemas;
