import type { DriftOutcome } from "./types";

/** A Kubernetes audit record as stored (cluster_audit_events). */
export interface AuditRecord {
  id: number;
  auditId: string;
  environment: string;
  verb: string;
  username: string;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  userAgent: string | null;
  /** The user the request ran as (`kubectl --as`), when the person impersonated one. */
  impersonatedUser?: string | null;
  occurredAt: Date;
}

/** The person, and whom they acted as when they impersonated someone: `alice@acme.com (as system:admin)`. */
export function personOf(a: Pick<AuditRecord, "username" | "impersonatedUser">): string {
  return a.impersonatedUser ? `${a.username} (as ${a.impersonatedUser})` : a.username;
}

const SHELL_SUBRESOURCES = new Set(["exec", "attach"]);

/** People, not cluster components or workloads (service accounts, nodes, controllers are `system:`). */
export function isPerson(username: string): boolean {
  return !username.startsWith("system:");
}

/** What the person did to the pod, or null when the record is not a shell into a container. */
export function containerAccess(a: AuditRecord): "exec" | "attach" | "ephemeral container" | null {
  if (a.resource !== "pods" || a.subresource === null) return null;
  // kubectl >= 1.30 opens exec/attach over WebSocket, which the audit log records as `get`.
  if (SHELL_SUBRESOURCES.has(a.subresource) && (a.verb === "create" || a.verb === "get")) return a.subresource === "exec" ? "exec" : "attach";
  if (a.subresource === "ephemeralcontainers" && (a.verb === "patch" || a.verb === "update")) return "ephemeral container";
  return null;
}

/** `drift.exec-into-container`: an exec, attach or ephemeral container into a production pod by a person. */
export function execIntoContainer(a: AuditRecord, isProduction: boolean): DriftOutcome | null {
  const access = containerAccess(a);
  if (access === null || !isProduction || !isPerson(a.username)) return null;
  const pod = `${a.namespace ?? "?"}/${a.name ?? "?"}`;
  return {
    ruleId: "drift.exec-into-container",
    result: "fail",
    reason: `${personOf(a)} opened ${access === "ephemeral container" ? "an ephemeral container in" : `an ${access} session into`} pod ${pod} in ${a.environment}.`,
    evidence: {
      auditEvent: { id: a.id, auditId: a.auditId, verb: a.verb, resource: a.resource, subresource: a.subresource, userAgent: a.userAgent, occurredAt: a.occurredAt.toISOString() },
      user: a.username,
      ...(a.impersonatedUser ? { impersonatedUser: a.impersonatedUser } : {}),
      pod: { namespace: a.namespace, name: a.name },
      access,
    },
  };
}
