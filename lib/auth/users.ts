import { asc, eq, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { users, type User } from "@/db/schema";
import { recordAudit, type ActorType } from "../audit/record";
import { demoUsers } from "../demo/users";
import { AppError } from "../errors";
import { checkPasswordStrength, generatePassword, hashPassword } from "./passwords";
import { isRole, roles, type Role } from "./permissions";

export type PublicUser = Omit<User, "passwordHash">;

export interface Actor {
  actor: string;
  actorType: ActorType;
  ip?: string | null;
}

const emailPattern = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export function normaliseEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!emailPattern.test(e)) throw new AppError("VALIDATION", "email: not an email address");
  return e;
}

export function parseRole(role: string): Role {
  if (!isRole(role)) throw new AppError("VALIDATION", `role: must be one of ${roles.join(", ")}`);
  return role;
}

function publicUser(u: User): PublicUser {
  const { passwordHash: _omitted, ...rest } = u;
  return rest;
}

/**
 * Creates a user with a password (generated when none is given: returned once, never stored in
 * clear) and writes `user.create` to the audit log in the same transaction.
 */
export async function createUser(
  db: Database,
  by: Actor,
  input: { email: string; role: string; name?: string | null; password?: string | null },
): Promise<{ user: PublicUser; generatedPassword: string | null }> {
  const email = normaliseEmail(input.email);
  const role = parseRole(input.role);
  const name = (input.name ?? "").trim() || email.split("@")[0] || email;
  if (name.length > 200) throw new AppError("VALIDATION", "name: at most 200 characters");
  const generatedPassword = input.password ? null : generatePassword();
  const password = input.password ?? generatedPassword ?? "";
  checkPasswordStrength(password);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(users).values({ email, name, role, passwordHash }).onConflictDoNothing().returning();
    if (!row) throw new AppError("CONFLICT", `a user with email ${email} already exists`);
    await recordAudit(tx, { ...by, action: "user.create", target: `user:${email}`, details: { role, name } });
    return { user: publicUser(row), generatedPassword };
  });
}

export async function listUsers(db: Queryable): Promise<PublicUser[]> {
  const rows = await db.select().from(users).orderBy(asc(users.email));
  return rows.map(publicUser);
}

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  return row;
}

export async function countAdmins(db: Queryable): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.role, "admin"));
  return Number(row?.n ?? 0);
}

/**
 * Creates the demo's one user per role when missing. In the embedded trial their passwords are the
 * public ones; in a real database (`random`) each gets a generated password, returned once.
 */
export async function ensureDemoUsers(db: Database, passwords: "public" | "random" = "public"): Promise<{ email: string; role: string; password: string }[]> {
  const created: { email: string; role: string; password: string }[] = [];
  for (const u of demoUsers) {
    if (await findUserByEmail(db, u.email)) continue;
    const password = passwords === "random" ? generatePassword() : u.password;
    await createUser(db, { actor: "demo", actorType: "system" }, { email: u.email, role: u.role, name: u.name, password });
    created.push({ email: u.email, role: u.role, password });
  }
  return created;
}
