import type { Database } from "@/db/client";
import { recordAudit } from "../audit/record";
import { AppError } from "../errors";
import { createToken, revokeToken, type TokenScope } from "./tokens";
import type { TokenLimits } from "./token-scope";
import type { Actor } from "./users";

/** Issues a token and records `token.issue` (name and scopes, never the secret) in one transaction. */
export async function issueToken(db: Database, by: Actor, input: { name: string; scopes: TokenScope[]; limits?: TokenLimits; expiresAt?: Date | null }) {
  return db.transaction(async (tx) => {
    const created = await createToken(tx, { ...input, createdBy: by.actor });
    await recordAudit(tx, {
      ...by,
      action: "token.issue",
      target: `token:${created.id}`,
      // Limits and expiry are recorded when the token has them.
      details: {
        name: created.name,
        scopes: created.scopes,
        ...Object.fromEntries(Object.entries(created.limits).filter(([, v]) => (v as string[]).length > 0)),
        ...(created.expiresAt ? { expiresAt: created.expiresAt.toISOString() } : {}),
      },
    });
    return created;
  });
}

/** Revokes a token (404 when there is no active one with that id) and records `token.revoke`. */
export async function revokeTokenAs(db: Database, by: Actor, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    if (!(await revokeToken(tx, id))) throw new AppError("NOT_FOUND", `no active token with id ${id}`);
    await recordAudit(tx, { ...by, action: "token.revoke", target: `token:${id}` });
  });
}
