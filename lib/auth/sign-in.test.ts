import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { users } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { listAudit } from "../audit/query";
import { verifyAuditLog } from "../audit/verify";
import { AppError } from "../errors";
import { resolveSession } from "./sessions";
import { IP_LIMIT, LOCKOUT_AFTER_FAILURES, LOCKOUT_SECONDS, signInWithPassword, signOut } from "./sign-in";
import { createUser } from "./users";

let h: DatabaseHandle;
const password = "correct horse battery staple";
beforeAll(async () => {
  h = await createTestDatabase();
  await createUser(h.db, { actor: "cli", actorType: "cli" }, { email: "Mia@Example.com", role: "manager", name: "Mia", password });
});
afterAll(async () => h?.close());

const meta = (ip: string) => ({ ip, userAgent: "vitest" });
/** Moves an account's failure count back in time, as if `seconds` had passed. */
const letTimePass = (email: string, seconds: number) =>
  h.db.execute(sql`update rate_limits set window_start = window_start - make_interval(secs => ${seconds}) where key in (${`sign-in:account:${email}`}, ${`sign-in:account-lock:${email}`})`);
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

describe("password sign-in", () => {
  it("signs in with the right password (email case-insensitive), and sign-out revokes the session", async () => {
    const s = await signInWithPassword(h.db, { email: "mia@example.COM", password }, meta("10.0.0.1"));
    const session = await resolveSession(h.db, s.cookieValue);
    expect(session?.user.email).toBe("mia@example.com");
    if (!session) throw new Error("no session");
    await signOut(h.db, session, meta("10.0.0.1"));
    expect(await resolveSession(h.db, s.cookieValue)).toBeNull();
    const actions = (await listAudit(h.db)).entries.map((e) => `${e.action}:${e.outcome}`);
    expect(actions.slice(0, 2)).toEqual(["auth.sign-out:success", "auth.sign-in:success"]);
  });

  it("refuses a wrong password or unknown email with the same 401, and records both", async () => {
    expect(await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password: "wrong password!!" }, meta("10.0.0.2")))).toBe("UNAUTHENTICATED");
    expect(await codeOf(signInWithPassword(h.db, { email: "nobody@example.com", password }, meta("10.0.0.2")))).toBe("UNAUTHENTICATED");
    const [a, b] = (await listAudit(h.db)).entries;
    expect([a?.outcome, a?.details.reason, b?.details.reason]).toEqual(["failure", "unknown email", "wrong password"]);
    const [row] = await h.db.select().from(users).where(eq(users.email, "mia@example.com"));
    expect(row?.failedSignIns).toBe(1);
  });

  it("locks the account after repeated failures, even against the right password, then a success resets it", async () => {
    for (let i = 1; i < LOCKOUT_AFTER_FAILURES; i += 1) {
      await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password: `wrong-${i}-password` }, meta(`10.1.0.${i}`)));
    }
    const err = await signInWithPassword(h.db, { email: "mia@example.com", password }, meta("10.1.1.1")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("RATE_LIMITED");
    expect(((err as AppError).details as { retryAfter: number }).retryAfter).toBeGreaterThan(800);
    await letTimePass("mia@example.com", LOCKOUT_SECONDS + 1);
    expect(await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password }, meta("10.1.1.2")))).toBe("ok");
    const [row] = await h.db.select().from(users).where(eq(users.email, "mia@example.com"));
    expect(row?.failedSignIns).toBe(0);
  });

  it("does not lock again at the first miss after a lock expired: the count decays", async () => {
    for (let i = 0; i < LOCKOUT_AFTER_FAILURES; i += 1) {
      await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password: `wrong-${i}-again` }, meta(`10.2.0.${i}`)));
    }
    expect(await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password }, meta("10.2.1.1")))).toBe("RATE_LIMITED");
    await h.db.update(users).set({ lockedUntil: new Date(Date.now() - 1000) }).where(eq(users.email, "mia@example.com"));
    await letTimePass("mia@example.com", LOCKOUT_SECONDS + 1);
    expect(await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password: "one more miss" }, meta("10.2.1.2")))).toBe("UNAUTHENTICATED");
    expect(await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password }, meta("10.2.1.3")))).toBe("ok");
  });

  it("answers an unknown email exactly as an existing account, locked or not, so it tells no one who has one", async () => {
    const answers = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i <= LOCKOUT_AFTER_FAILURES; i += 1) {
        const err = await signInWithPassword(h.db, { email, password: `guess-${i}-guess` }, meta(`10.3.${email.length}.${i}`)).catch((e: unknown) => e);
        out.push(err instanceof AppError ? `${err.code}:${err.message.replace(/\d+ seconds/, "N seconds")}` : "ok");
      }
      return out;
    };
    const known = await answers("mia@example.com");
    const unknown = await answers("nobody-here@example.com");
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toMatch(/^RATE_LIMITED/);
    await letTimePass("mia@example.com", LOCKOUT_SECONDS + 1);
  });

  it("limits attempts per IP across accounts (429 with a wait), counted in Postgres", async () => {
    const codes: string[] = [];
    for (let i = 0; i <= IP_LIMIT.attempts; i += 1) {
      codes.push(await codeOf(signInWithPassword(h.db, { email: `guess${i}@example.com`, password: "guess guess guess" }, meta("203.0.113.9"))));
    }
    expect(codes.slice(0, IP_LIMIT.attempts).every((c) => c === "UNAUTHENTICATED")).toBe(true);
    expect(codes[IP_LIMIT.attempts]).toBe("RATE_LIMITED");
    expect(await codeOf(signInWithPassword(h.db, { email: "mia@example.com", password }, meta("203.0.113.10")))).toBe("ok");
  });

  it("keeps the audit chain valid and never stores a password", async () => {
    expect((await verifyAuditLog(h.db)).ok).toBe(true);
    const all = JSON.stringify((await listAudit(h.db, { limit: 500 })).entries);
    expect(all).not.toContain(password);
    expect(all).not.toContain("wrong password!!");
  });
});
