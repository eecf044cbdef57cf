import type { Queryable } from "@/db/client";
import { auditLog } from "@/db/schema";
import { chainHash, lockHead, setHead } from "../ledger/chain";

export type ActorType = "user" | "token" | "cli" | "system" | "anonymous";
export type Outcome = "success" | "failure" | "denied";

export interface AuditInput {
  actor: string;
  actorType: ActorType;
  action: string;
  target?: string | null;
  outcome?: Outcome;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/** The fields an audit entry's hash covers: all of them but the hashes themselves. */
export function auditHashFields(e: {
  seq: number;
  at: Date;
  actor: string;
  actorType: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    actorType: e.actorType,
    action: e.action,
    target: e.target,
    outcome: e.outcome,
    ip: e.ip,
    details: e.details,
  };
}

/**
 * Appends one entry under the `audit` head lock, in the caller's transaction, so the entry
 * commits or rolls back with the change it describes and the chain stays gapless.
 */
export async function recordAudit(tx: Queryable, input: AuditInput): Promise<{ seq: number; hash: string }> {
  const head = await lockHead(tx, "audit");
  const seq = head.seq + 1;
  // Millisecond precision: what Postgres stores is what the hash covered.
  const at = new Date(Date.now());
  const entry = {
    seq,
    at,
    actor: input.actor.slice(0, 320),
    actorType: input.actorType,
    action: input.action,
    target: input.target ?? null,
    outcome: input.outcome ?? "success",
    ip: input.ip?.slice(0, 100) ?? null,
    details: input.details ?? {},
  };
  // Round-trip through JSON so the hash covers exactly what jsonb gives back.
  entry.details = JSON.parse(JSON.stringify(entry.details)) as Record<string, unknown>;
  const hash = chainHash(head.hash, auditHashFields(entry));
  await tx.insert(auditLog).values({ ...entry, prevHash: head.hash, hash });
  await setHead(tx, "audit", seq, hash);
  return { seq, hash };
}
