import { randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, getTableColumns, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { apiTokens, type ApiToken } from "@/db/schema";
import { AppError } from "../errors";
import { sha256Hex } from "../ledger/chain";
import { noLimits, type TokenLimits } from "./token-scope";

export const tokenScopes = ["ingest", "read"] as const;
export type TokenScope = (typeof tokenScopes)[number];

const TOKEN_PREFIX = "cust_";

export function parseScopes(input: string): TokenScope[] {
  const scopes = input
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new AppError("VALIDATION", "scopes: at least one of ingest, read");
  for (const s of scopes) {
    if (!(tokenScopes as readonly string[]).includes(s)) throw new AppError("VALIDATION", `scopes: unknown scope "${s}" (use ingest, read)`);
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
  return { id: row.id, token, name, scopes: input.scopes, limits, expiresAt: input.expiresAt ?? null };
}

export async function revokeToken(db: Queryable, id: number): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return rows.length > 0;
}

export async function listTokens(db: Queryable): Promise<Omit<ApiToken, "tokenHash">[]> {
  const { tokenHash: _omitted, ...columns } = getTableColumns(apiTokens);
  return db.select(columns).from(apiTokens).orderBy(desc(apiTokens.createdAt));
}

/**
 * Authenticates `Authorization: Bearer <token>` and checks its scope: 401 for a missing, unknown
 * or revoked token, 403 for one without the scope. The stored hash is compared in constant time.
 */
export async function authenticateToken(db: Queryable, authorization: string | null, scope: TokenScope): Promise<ApiToken> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (!token) throw new AppError("UNAUTHENTICATED", "missing bearer token (Authorization: Bearer <token>)");
  const hash = sha256Hex(token);
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).limit(1);
  if (!row || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash)) || row.revokedAt) {
    throw new AppError("UNAUTHENTICATED", "invalid or revoked token");
  }
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) {
    throw new AppError("UNAUTHENTICATED", `this token expired at ${row.expiresAt.toISOString()}; ask an admin for a new one`);
  }
  if (!row.scopes.includes(scope)) throw new AppError("FORBIDDEN", `this token lacks the "${scope}" scope`);
  const now = new Date();
  // Record use at most once a minute, so reads do not turn into a write per request.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
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
