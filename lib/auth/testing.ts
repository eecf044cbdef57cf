import type { Database } from "@/db/client";
import { demoUsers } from "../demo/users";
import { SESSION_COOKIE, createSession } from "./sessions";
import { createUser, findUserByEmail } from "./users";
import type { Role } from "./permissions";

/** A session cookie header for the demo user of each role (created when missing), for route tests. */
export async function sessionCookies(db: Database): Promise<Record<Role, string>> {
  const out: Partial<Record<Role, string>> = {};
  for (const u of demoUsers) {
    const user = (await findUserByEmail(db, u.email)) ?? (await createUser(db, { actor: "test", actorType: "system" }, u)).user;
    const s = await createSession(db, user.id, { ip: "127.0.0.1" });
    out[u.role] = `${SESSION_COOKIE}=${s.cookieValue}`;
  }
  return out as Record<Role, string>;
}
