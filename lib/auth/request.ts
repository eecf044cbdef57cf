import type { Queryable } from "@/db/client";
import { authenticateToken } from "./tokens";

/**
 * Read access for machines: a bearer token with the `read` scope. People's sessions join this
 * check when accounts exist (issue 8).
 */
export async function authenticateRead(db: Queryable, req: Request): Promise<{ kind: "token"; name: string }> {
  const token = await authenticateToken(db, req.headers.get("authorization"), "read");
  return { kind: "token", name: token.name };
}
