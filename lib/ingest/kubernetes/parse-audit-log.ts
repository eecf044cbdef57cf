import { describeIssues, validation } from "@/lib/errors";
import { clusterAuditEvent, type EventOf } from "@/lib/events/schema";
import { isObject, type JsonObject, nonEmptyString } from "./json-guards";

type ClusterAudit = EventOf<"k8s_audit">;

export type ParseAuditLogOptions = { environment: string };

const INTERACTIVE_SUBRESOURCES = new Set(["exec", "attach", "portforward"]);
const HAND_EDITED_RESOURCES = new Set(["deployments", "statefulsets", "daemonsets", "replicasets", "cronjobs", "jobs", "configmaps", "secrets"]);
const WRITE_VERBS = new Set(["create", "update", "patch"]);

/**
 * Reads a kube-apiserver audit log (JSON lines of audit.k8s.io/v1 Event) and keeps what matters
 * for drift: people opening a shell, attaching or port-forwarding into pods, adding ephemeral
 * containers, and changing workloads, ConfigMaps or Secrets with kubectl.
 * Throws AppError VALIDATION naming the 1-based line when a line is not an audit event.
 */
export function parseAuditLog(text: string, opts: ParseAuditLogOptions): ClusterAudit[] {
  const environment = clusterAuditEvent.shape.environment.safeParse(opts.environment);
  if (!environment.success) throw validation(`environment: ${describeIssues(environment.error.issues)}`);

  const kept = new Map<string, ClusterAudit>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const entry = readEntry(raw, line);
    if (!entry || kept.has(entry.auditId)) return;
    const parsed = clusterAuditEvent.safeParse({ ...entry, environment: opts.environment });
    if (!parsed.success) throw validation(`audit log line ${line}: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
    kept.set(entry.auditId, parsed.data);
  });
  return [...kept.values()];
}

/**
 * Reads the body the API server's audit webhook backend posts (`--audit-webhook-config-file`): an
 * audit.k8s.io/v1 EventList. Keeps what parseAuditLog keeps; throws AppError VALIDATION naming the
 * item when it is not an audit event.
 */
export function parseAuditEventList(json: unknown, opts: ParseAuditLogOptions): ClusterAudit[] {
  const environment = clusterAuditEvent.shape.environment.safeParse(opts.environment);
  if (!environment.success) throw validation(`environment: ${describeIssues(environment.error.issues)}`);
  if (!isObject(json) || json.kind !== "EventList") throw validation("expected an audit.k8s.io/v1 EventList (kind: EventList), as the audit webhook backend sends");
  if (json.apiVersion !== "audit.k8s.io/v1") throw validation(`apiVersion must be audit.k8s.io/v1, got ${typeof json.apiVersion === "string" ? json.apiVersion.slice(0, 50) : "none"}`);
  if (!Array.isArray(json.items)) throw validation("items must be an array of audit events");
  const kept = new Map<string, ClusterAudit>();
  json.items.forEach((item: unknown, index) => {
    const at = `items[${index}]`;
    const entry = readEvent(item, at);
    if (!entry || kept.has(entry.auditId)) return;
    const parsed = clusterAuditEvent.safeParse({ ...entry, environment: opts.environment });
    if (!parsed.success) throw validation(`${at}: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
    kept.set(entry.auditId, parsed.data);
  });
  return [...kept.values()];
}

/** The event of one line if it matters for drift, else undefined; throws when the line is malformed. */
function readEntry(raw: string, line: number): Omit<ClusterAudit, "environment"> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw validation(`audit log line ${line}: not JSON`);
  }
  return readEvent(json, `audit log line ${line}`);
}

function readEvent(json: unknown, at: string): Omit<ClusterAudit, "environment"> | undefined {
  if (!isObject(json)) throw validation(`${at}: not an audit event (expected a JSON object)`);
  const auditId = nonEmptyString(json.auditID);
  if (!auditId) throw validation(`${at}: not an audit event (auditID missing)`);
  const verb = nonEmptyString(json.verb);
  if (!verb) throw validation(`${at}: not an audit event (verb missing)`);
  const username = isObject(json.user) ? nonEmptyString(json.user.username) : undefined;
  if (!username) throw validation(`${at}: not an audit event (user.username missing)`);

  // One request logs a line per stage; the last one carries the response. Events without a stage
  // come from backends that log once per request.
  if (json.stage !== undefined && json.stage !== "ResponseComplete") return undefined;
  // Cluster components and workloads act as system: users; drift is about what people do.
  if (username.startsWith("system:")) return undefined;
  // A refused request changed nothing.
  if (isObject(json.responseStatus) && typeof json.responseStatus.code === "number" && json.responseStatus.code >= 400) return undefined;

  const ref = isObject(json.objectRef) ? json.objectRef : {};
  const userAgent = nonEmptyString(json.userAgent);
  if (!mattersForDrift(verb, ref, userAgent)) return undefined;

  // The request's start, not its end: an exec session logs ResponseComplete when the shell closes.
  const occurredAt = nonEmptyString(json.requestReceivedTimestamp) ?? nonEmptyString(json.stageTimestamp);
  if (!occurredAt) throw validation(`${at}: requestReceivedTimestamp missing`);
  return {
    id: `k8s-audit:${auditId}`,
    type: "k8s_audit",
    occurredAt,
    auditId,
    verb,
    username,
    resource: nonEmptyString(ref.resource),
    subresource: nonEmptyString(ref.subresource),
    namespace: nonEmptyString(ref.namespace),
    name: nonEmptyString(ref.name),
    userAgent,
    // `kubectl --as=...`: the request ran as another user; the authenticated person stays `username`.
    impersonatedUser: isObject(json.impersonatedUser) ? nonEmptyString(json.impersonatedUser.username) : undefined,
  };
}

function mattersForDrift(verb: string, ref: JsonObject, userAgent: string | undefined): boolean {
  const resource = nonEmptyString(ref.resource);
  const subresource = nonEmptyString(ref.subresource);
  if (resource === "pods" && subresource && INTERACTIVE_SUBRESOURCES.has(subresource)) {
    // kubectl 1.30+ opens these over WebSocket, an HTTP GET the audit log records as verb get.
    return verb === "create" || verb === "get";
  }
  if (resource === "pods" && subresource === "ephemeralcontainers") return verb === "patch" || verb === "update";
  if (resource && HAND_EDITED_RESOURCES.has(resource)) {
    return WRITE_VERBS.has(verb) && (userAgent?.startsWith("kubectl") ?? false);
  }
  return false;
}
