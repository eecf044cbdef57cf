import { randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, getTableColumns, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiTokens, type ApiToken } from "@/db/schema";
import { AppError } from "../errors";
import { sha256Hex } from "../ledger/chain";
import { noLimits, type TokenLimits } from "./token-scope";

export const tokenScopes = ["ingest", "read", "admission"] as const;
export type TokenScope = (typeof tokenScopes)[number];

const TOKEN_PREFIX = "cust_";

export function parseScopes(input: string): TokenScope[] {
  const scopes = input
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new AppError("VALIDATION", "scopes: at least one of ingest, read, admission");
  for (const s of scopes) {
    if (!(tokenScopes as readonly string[]).includes(s)) throw new AppError("VALIDATION", `scopes: unknown scope "${s}" (use ingest, read, admission)`);
  }
  return [...new Set(scopes)] as TokenScope[];
}

/** Creates a token; the secret is returned once and only its SHA-256 is stored. */
export async function createToken(
  db: Queryable,
  input: { name: string; scopes: TokenScope[]; createdBy: string; limits?: TokenLimits; expiresAt?: Date | null },
): Promise<{ id: number; token: string; name: string; scopes: TokenScope[]; limits: TokenLimits; expiresAt: Date | null }> {
  const name = input.name.trim();
  if (!/^[\w .:-]{1,100}$/.test(name)) throw new AppError("VALIDATION", "name: 1-100 letters, digits, spaces, . : _ -");
  const limits = input.limits ?? noLimits;
  const secret = randomBytes(32).toString("base64url");
  const token = `${TOKEN_PREFIX}${secret}`;
  const [row] = await db
    .insert(apiTokens)
    .values({
      name,
      prefix: token.slice(0, 12),
      tokenHash: sha256Hex(token),
      scopes: input.scopes,
      createdBy: input.createdBy,
      eventTypes: [...limits.eventTypes],
      repositories: [...limits.repositories],
      environments: [...limits.environments],
      expiresAt: input.expiresAt ?? null,
    })
    .returning({ id: apiTokens.id });
  if (!row) throw new Error("token insert returned nothing");
  forgetTokens();
  return { id: row.id, token, name, scopes: input.scopes, limits, expiresAt: input.expiresAt ?? null };
}

export async function revokeToken(db: Queryable, id: number): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  forgetTokens();
  return rows.length > 0;
}

export async function listTokens(db: Queryable): Promise<Omit<ApiToken, "tokenHash">[]> {
  const { tokenHash: _omitted, ...columns } = getTableColumns(apiTokens);
  return db.select(columns).from(apiTokens).orderBy(desc(apiTokens.createdAt));
}

/**
 * Tokens recently found valid, by database and token hash, for TOKEN_CACHE_MS: a machine caller
 * (the admission webhook at 50 requests/s, CI) then costs no round trip per request. A token
 * revoked, created or changed through this process empties the cache at once; one revoked through
 * another process sharing the database stops working within TOKEN_CACHE_MS. Unknown tokens are
 * never cached (a new token works at once), and expiry is checked on every request.
 */
export const TOKEN_CACHE_MS = 5_000;
const cache = new Map<string, { db: Queryable; row: ApiToken; at: number }>();

export function forgetTokens(): void {
  cache.clear();
}

/**
 * Authenticates `Authorization: Bearer <token>` and checks its scope (any of `scope`, when a
 * list): 401 for a missing, unknown or revoked token, 403 for one without the scope. The stored
 * hash is compared in constant time.
 */
export async function authenticateToken(db: Queryable, authorization: string | null, scope: TokenScope | readonly TokenScope[]): Promise<ApiToken> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (!token) throw new AppError("UNAUTHENTICATED", "missing bearer token (Authorization: Bearer <token>)");
  const hash = sha256Hex(token);
  const nowMs = Date.now();
  const hit = cache.get(hash);
  let row: ApiToken | undefined;
  if (hit && hit.db === db && nowMs - hit.at < TOKEN_CACHE_MS) row = hit.row;
  else {
    cache.delete(hash);
    [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).limit(1);
  }
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash)) || row.revokedAt) {
    throw new AppError("UNAUTHENTICATED", "invalid or revoked token");
  }
  if (row.expiresAt && row.expiresAt.getTime() <= nowMs) {
    cache.delete(hash);
    throw new AppError("UNAUTHENTICATED", `this token expired at ${row.expiresAt.toISOString()}; ask an admin for a new one`);
  }
  if (!hit || hit.row !== row) {
    if (cache.size >= 1000) cache.clear();
    cache.set(hash, { db, row, at: nowMs });
  }
  const wanted: readonly TokenScope[] = typeof scope === "string" ? [scope] : scope;
  const scopes = row.scopes;
  if (!wanted.some((s) => scopes.includes(s))) throw new AppError("FORBIDDEN", `this token lacks the "${wanted.join('" or "')}" scope`);
  // Record use at most once a minute, so reads do not turn into a write per request.
  if (!row.lastUsedAt || nowMs - row.lastUsedAt.getTime() > 60_000) {
    const now = new Date(nowMs);
    row.lastUsedAt = now;
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.id));
  }
  return row;
}

/** A token's limits as the ingest path checks them. */
export const limitsOf = (t: Pick<ApiToken, "eventTypes" | "repositories" | "environments">): TokenLimits => ({
  eventTypes: t.eventTypes,
  repositories: t.repositories,
  environments: t.environments,
});
