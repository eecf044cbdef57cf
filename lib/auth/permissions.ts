import type { TokenScope } from "./tokens";

export const roles = ["admin", "compliance", "manager", "auditor", "engagement-auditor"] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  "evidence:read",
  "findings:waive",
  "incidents:write",
  "reports:export",
  "audit:read",
  "users:manage",
  "tokens:manage",
  "settings:manage",
  "ingest:write",
  "admission:review",
  "engagements:read",
  "engagements:manage",
  "engagements:audit",
] as const;
export type Permission = (typeof permissions)[number];

/**
 * The one permission matrix. Every route, server action, page and export asks `can()` (through
 * `authorize` or `requireUser`); hiding a button is never the control.
 */
const byRole: Record<Role, readonly Permission[]> = {
  admin: ["evidence:read", "findings:waive", "incidents:write", "reports:export", "audit:read", "users:manage", "tokens:manage", "settings:manage", "engagements:read", "engagements:manage"],
  compliance: ["evidence:read", "findings:waive", "reports:export", "engagements:read", "engagements:manage"],
  manager: ["evidence:read", "incidents:write"],
  auditor: ["evidence:read", "reports:export", "audit:read", "engagements:read"],
  // An external auditor's account: one engagement only (lib/engagements/access.ts narrows every
  // read to it), no evidence:read, so the rest of the app stays closed to them.
  "engagement-auditor": ["engagements:read", "engagements:audit"],
};

/**
 * Machine tokens reach the API only: `read` reads evidence and exports reports, `ingest` writes
 * events (and asks for decisions), `admission` answers the cluster's admission webhook and nothing
 * else (least privilege for the credential kept in the API server's webhook kubeconfig).
 * `ingest` may still call the webhook: tokens issued before the `admission` scope existed keep
 * working (a documented compatibility, to be dropped once clusters carry admission tokens).
 */
const byScope: Record<TokenScope, readonly Permission[]> = {
  read: ["evidence:read", "reports:export"],
  ingest: ["ingest:write", "admission:review"],
  admission: ["admission:review"],
};

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function roleCan(role: string, permission: Permission): boolean {
  return isRole(role) && byRole[role].includes(permission);
}

export function scopesCan(scopes: readonly string[], permission: Permission): boolean {
  return scopes.some((s) => Object.hasOwn(byScope, s) && byScope[s as TokenScope].includes(permission));
}

export function permissionsOf(role: Role): readonly Permission[] {
  return byRole[role];
}
