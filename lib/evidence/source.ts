/**
 * Where a fact came from. Every projected fact records the source of the ledger entry that carried
 * it, so an auditor can tell "GitHub said so (signed)" from "a token holder said so", and the
 * policy (lib/policy/sources.ts) can decide which sources a check may use.
 */

export const sourceKinds = ["github-webhook", "gitlab-webhook", "token", "attestation", "cli", "unknown"] as const;
export type SourceKind = (typeof sourceKinds)[number];

/** API.md: `{ kind, id: delivery id or token name, verified }`. */
export interface FactSource {
  kind: SourceKind;
  id: string;
  /** A platform signature (webhook HMAC, Sigstore) vouches for the content, not only for the sender. */
  verified: boolean;
}

/** The stable sender behind a source: one per webhook kind, one per token name, `cli`. */
export function sourceKeyOf(s: FactSource): string {
  if (s.kind === "token") return `token:${s.id}`;
  if (s.kind === "cli") return s.id === "cli" ? "cli" : `cli:${s.id}`;
  return s.kind;
}

/**
 * How much a source is trusted: signed ones above authenticated senders above unknown ones. Between
 * two senders of equal trust no client timestamp decides; the sender key breaks the tie, so the
 * projection is the same whatever order the facts arrive in.
 */
export function trustOf(s: Pick<FactSource, "kind" | "verified">): number {
  if (s.verified) return 2;
  return s.kind === "unknown" ? 0 : 1;
}

/** The ledger's `source` column values that are signed webhooks. */
const webhookKinds: Record<string, SourceKind> = { github: "github-webhook", gitlab: "gitlab-webhook" };

/**
 * The source of the facts a ledger entry stands for: a signed webhook (its delivery id), or the
 * principal that sent it (`token:<name>`, `cli`, `demo`). Entries stored before principals were
 * recorded count as an unnamed token: nothing vouches for them.
 */
export function sourceOfEntry(entry: { source: string; deliveryId: string; principal?: string | null }): FactSource {
  const webhook = webhookKinds[entry.source];
  if (webhook) return { kind: webhook, id: entry.deliveryId, verified: true };
  const p = entry.principal ?? null;
  if (p === null) return { kind: "token", id: "(unrecorded)", verified: false };
  if (p.startsWith("token:")) return { kind: "token", id: p.slice("token:".length), verified: false };
  if (p === "cli" || p.startsWith("cli:")) return { kind: "cli", id: p === "cli" ? "cli" : p.slice("cli:".length), verified: false };
  return { kind: "unknown", id: p, verified: false };
}

/** Principals for the ledger: who sent the entry through an authenticated channel. */
export const principals = {
  token: (name: string) => `token:${name}`,
  cli: "cli",
  demo: "cli:demo",
} as const;

/** The source columns of a projection row. */
export function sourceColumnsOf(s: FactSource): { sourceKind: string; sourceId: string; sourceVerified: boolean; sourceKey: string } {
  return { sourceKind: s.kind, sourceId: s.id, sourceVerified: s.verified, sourceKey: sourceKeyOf(s) };
}

/** A row's source as the API shows it. */
export function sourceOfRow(row: { sourceKind: string; sourceId: string; sourceVerified: boolean }): FactSource {
  const kind = (sourceKinds as readonly string[]).includes(row.sourceKind) ? (row.sourceKind as SourceKind) : "unknown";
  return { kind, id: row.sourceId, verified: row.sourceVerified };
}

/** "signed GitHub webhook, delivery 72d3…", "token ci-bridge": one phrase for reasons and pages. */
export function describeSource(s: FactSource): string {
  switch (s.kind) {
    case "github-webhook":
      return `signed GitHub webhook (delivery ${s.id})`;
    case "gitlab-webhook":
      return `signed GitLab webhook (delivery ${s.id})`;
    case "token":
      return `API token "${s.id}"`;
    case "attestation":
      return `verified attestation ${s.id}`;
    case "cli":
      return s.id === "cli" ? "the CLI" : `the CLI (${s.id})`;
    default:
      return `an unknown source (${s.id})`;
  }
}
