import type { Database } from "@/db/client";
import { config, type AdmissionConfig } from "../config";
import { openFinding } from "../findings/store";
import { breakGlass, breakGlassAllowed, recordBypass } from "../gates/break-glass";
import { execIntoContainer } from "../policy/drift";
import { execSubject } from "../drift/subjects";
import { namespacePolicy, type NamespacePolicy } from "./namespaces";
import { recordAdmission } from "./record";
import { annotation, controllerOwned, digestOfImage, newImages, parseReview, type AdmissionRequest } from "./review";
import { digestVerdicts } from "./verdict";

/** The workload kinds whose images the webhook judges (ReplicaSet too, so none is a way around). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet"]);

/** Annotation on a workload that asks for break glass; its value is the reason. The person is the API server's authenticated user. */
export const BREAK_GLASS_ANNOTATION = "custody.dev/break-glass";

export interface AdmissionAnswer {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason?: string; message: string };
  warnings?: string[];
}

export type AdmissionResult = "allowed" | "denied" | "warned" | "break-glass" | "unjudged";

export interface AdmissionOutcome {
  apiVersion: string;
  answer: AdmissionAnswer;
  result: AdmissionResult;
}

export const reviewResponse = (o: Pick<AdmissionOutcome, "apiVersion" | "answer">) => ({ apiVersion: o.apiVersion, kind: "AdmissionReview", response: o.answer });

/** The answer when Custody cannot judge: what the webhook's failurePolicy would do, with the reason. */
export function failureAnswer(uid: string, apiVersion: string, problem: string, settings: AdmissionConfig = config().admission): AdmissionOutcome {
  const allowed = settings.failurePolicy === "Ignore";
  const message = `custody could not judge this request (${problem}); failure policy ${settings.failurePolicy}: ${allowed ? "admitted" : "refused"}`;
  return {
    apiVersion,
    result: "unjudged",
    answer: allowed ? { uid, allowed, warnings: [message] } : { uid, allowed, status: { code: 400, reason: "BadRequest", message } },
  };
}

const allow = (r: AdmissionRequest): AdmissionOutcome => ({ apiVersion: r.apiVersion, result: "allowed", answer: { uid: r.uid, allowed: true } });

/**
 * Judges one AdmissionReview. Workloads: every new image must be referenced by digest and have an
 * allow (or warn) decision for the namespace's environment. Shells (exec, attach, ephemeral
 * containers): a change by hand. `enforce` refuses, `warn` admits with warnings; either way what
 * a person did is recorded at once (drift finding, ledger entry), not when an audit log arrives.
 */
export async function judgeAdmission(db: Database, body: unknown, settings: AdmissionConfig = config().admission, now = new Date()): Promise<AdmissionOutcome> {
  const parsed = parseReview(body);
  if (!parsed.ok) return failureAnswer(parsed.uid, parsed.apiVersion, parsed.problem, settings);
  const r = parsed.request;
  if (r.operation === "DELETE") return allow(r);
  const ns = await namespacePolicy(db, r.namespace, settings);
  if (ns.mode === "off") return allow(r);
  if (r.resource === "pods" && r.subResource !== null && ["exec", "attach", "ephemeralcontainers"].includes(r.subResource)) {
    return judgeShell(db, r, body, ns, now);
  }
  if (r.subResource !== null || !WORKLOAD_KINDS.has(r.kind) || (r.operation !== "CREATE" && r.operation !== "UPDATE")) return allow(r);
  if (r.kind === "Pod" && controllerOwned(r.object)) return allow(r);
  // Every image's verdict at once (one round trip's wait, not one per container), refusals in container order.
  const images = newImages(r).map((image) => ({ image, digest: digestOfImage(image.image) }));
  const byDigest = await digestVerdicts(
    db,
    images.flatMap(({ digest }) => (digest === null ? [] : [digest])),
    ns.environment,
  );
  const verdicts = images.map(({ digest }) => (digest === null ? null : (byDigest.get(digest) ?? null)));
  const refusals: string[] = [];
  images.forEach(({ image, digest }, i) => {
    const verdict = verdicts[i];
    if (digest === null) refusals.push(`${image.list} ${image.container}: ${image.image} is not referenced by digest (use image@sha256:...)`);
    else if (verdict && verdict.refusal !== null) refusals.push(`${image.list} ${image.container}: ${verdict.refusal}`);
  });
  if (refusals.length === 0) return allow(r);
  return refuseOrWarn(db, r, body, ns, refusals, now);
}

async function refuseOrWarn(db: Database, r: AdmissionRequest, body: unknown, ns: NamespacePolicy, refusals: string[], now: Date): Promise<AdmissionOutcome> {
  const workload = `${r.namespace}/${r.kind}/${r.name}`;
  const summary = `${r.kind} ${r.namespace}/${r.name} (${r.operation.toLowerCase()} by ${r.username}) in ${ns.environment}: ${refusals.join("; ")}`;
  const reason = annotation(r.object, BREAK_GLASS_ANNOTATION)?.trim() ?? "";
  const bypass = { subjectKey: `admission:${ns.environment}/${workload}`, environment: ns.environment, service: null, workload, person: r.username, at: now };
  let outcome: AdmissionOutcome;
  if (ns.mode === "enforce" && reason.length > 0 && breakGlassAllowed(ns.environment)) {
    const opened = r.dryRun ? { incidentId: 0 } : await breakGlass(db, { ...bypass, summary: `break glass: ${summary}`, reason, requestedBy: `k8s:${r.username}`, evidence: { uid: r.uid, refusals, reason } });
    outcome = {
      apiVersion: r.apiVersion,
      result: "break-glass",
      answer: { uid: r.uid, allowed: true, warnings: [`custody: admitted by break glass (${reason}); incident ${opened.incidentId} is open`, ...refusals.map((m) => `custody: ${m}`)] },
    };
  } else if (ns.mode === "enforce") {
    outcome = {
      apiVersion: r.apiVersion,
      result: "denied",
      answer: { uid: r.uid, allowed: false, status: { code: 403, reason: "Forbidden", message: `custody: ${ns.environment} is enforced; ${refusals.join("; ")}` } },
    };
  } else {
    if (!r.dryRun) await recordBypass(db, { ...bypass, summary: `admitted in warn mode: ${summary}`, evidence: { uid: r.uid, refusals, mode: ns.mode } });
    outcome = { apiVersion: r.apiVersion, result: "warned", answer: { uid: r.uid, allowed: true, warnings: refusals.map((m) => `custody (warn mode, recorded): ${m}`) } };
  }
  if (!r.dryRun) await recordAdmission(db, r.uid, r.operation, body, { ...outcome.answer, environment: ns.environment, mode: ns.mode }, now);
  return outcome;
}

async function judgeShell(db: Database, r: AdmissionRequest, body: unknown, ns: NamespacePolicy, now: Date): Promise<AdmissionOutcome> {
  const verb = r.operation === "CONNECT" ? "create" : r.operation.toLowerCase();
  const record = {
    id: 0,
    auditId: r.uid,
    environment: ns.environment,
    verb,
    username: r.username,
    resource: "pods",
    subresource: r.subResource,
    namespace: r.namespace,
    name: r.name,
    userAgent: null,
    occurredAt: now,
  };
  const drift = execIntoContainer(record, ns.isProduction);
  if (drift !== null && !r.dryRun) {
    await openFinding(db, {
      ruleId: drift.ruleId,
      subjectKey: execSubject(ns.environment, r.namespace, r.name, r.username),
      environment: ns.environment,
      workload: `${r.namespace}/Pod/${r.name}`,
      actor: r.username,
      summary: drift.reason,
      evidence: { ...drift.evidence, source: "admission-webhook", mode: ns.mode },
      observedAt: now,
    });
  }
  const what = r.subResource === "ephemeralcontainers" ? "an ephemeral container (kubectl debug)" : `${r.subResource} (kubectl ${r.subResource})`;
  const message = `custody: ${r.username} asked for ${what} in pod ${r.namespace}/${r.name} in ${ns.environment}: a change by hand, outside the pipeline`;
  const outcome: AdmissionOutcome =
    ns.mode === "enforce"
      ? { apiVersion: r.apiVersion, result: "denied", answer: { uid: r.uid, allowed: false, status: { code: 403, reason: "Forbidden", message: `${message}; refused (${ns.environment} is enforced)` } } }
      : { apiVersion: r.apiVersion, result: "warned", answer: { uid: r.uid, allowed: true, warnings: [`${message}; admitted and recorded (warn mode)`] } };
  if (!r.dryRun) await recordAdmission(db, r.uid, r.operation, body, { ...outcome.answer, environment: ns.environment, mode: ns.mode }, now);
  return outcome;
}
