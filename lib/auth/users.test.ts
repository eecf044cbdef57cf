import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { listAudit } from "../audit/query";
import { demoUsers } from "../demo/users";
import { AppError } from "../errors";
import { signInWithPassword } from "./sign-in";
import { issueToken, revokeTokenAs } from "./token-admin";
import { authenticateToken } from "./tokens";
import { createUser, ensureDemoUsers, listUsers } from "./users";
import { runCli } from "@/lib/testing/cli";
import { onPostgresRun } from "@/lib/testing/requires";

let h: Awaited<ReturnType<typeof createTestDatabase>>;
const by = { actor: "admin@custody.demo", actorType: "user" as const, ip: "10.2.0.1" };
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

describe("users and tokens", () => {
  it("creates the demo's one user per role once, each able to sign in with the printed password", async () => {
    expect(await ensureDemoUsers(h.db)).toHaveLength(5);
    expect(await ensureDemoUsers(h.db)).toHaveLength(0);
    expect((await listUsers(h.db)).map((u) => u.role).sort()).toEqual(["admin", "auditor", "compliance", "engagement-auditor", "manager"]);
    const auditor = demoUsers.find((u) => u.role === "auditor");
    if (!auditor) throw new Error("no demo auditor");
    await expect(signInWithPassword(h.db, auditor, { ip: "10.2.0.2", userAgent: null })).resolves.toHaveProperty("cookieValue");
  });

  it("stores passwords as argon2id, generates one when none is given, and refuses short ones, unknown roles and duplicates", async () => {
    const { user, generatedPassword } = await createUser(h.db, by, { email: "new@example.com", role: "compliance" });
    expect(generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const [row] = await h.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const code = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => (e instanceof AppError ? e.code : "other"));
    expect(await code(createUser(h.db, by, { email: "short@example.com", role: "manager", password: "short" }))).toBe("VALIDATION");
    expect(await code(createUser(h.db, by, { email: "root@example.com", role: "root", password: "long enough password" }))).toBe("VALIDATION");
    expect(await code(createUser(h.db, by, { email: "NEW@example.com", role: "auditor", password: "long enough password" }))).toBe("CONFLICT");
    const entry = (await listAudit(h.db)).entries.find((e) => e.target === "user:new@example.com");
    expect(entry).toMatchObject({ actor: by.actor, action: "user.create", details: { role: "compliance" } });
    expect(JSON.stringify(entry)).not.toContain(generatedPassword ?? "-");
  });

  it("records token issue and revoke (never the secret), and a revoked token stops working", async () => {
    const created = await issueToken(h.db, by, { name: "gha", scopes: ["ingest"] });
    await expect(authenticateToken(h.db, `Bearer ${created.token}`, "ingest")).resolves.toHaveProperty("name", "gha");
    await revokeTokenAs(h.db, by, created.id);
    await expect(authenticateToken(h.db, `Bearer ${created.token}`, "ingest")).rejects.toThrow("invalid or revoked token");
    await expect(revokeTokenAs(h.db, by, created.id)).rejects.toThrow(`no active token with id ${created.id}`);
    const [revoke, issue] = (await listAudit(h.db)).entries;
    expect([issue?.action, issue?.details, revoke?.action]).toEqual(["token.issue", { name: "gha", scopes: ["ingest"] }, "token.revoke"]);
    expect(JSON.stringify((await listAudit(h.db, { limit: 500 })).entries)).not.toContain(created.token);
  });
});

describe("custody user create", () => {
  // The CLI opens the configured database, which a test can point at only on a Postgres server.
  it.runIf(onPostgresRun(import.meta.filename, "the first admin created by the CLI process"))("creates the first admin from the CLI with the password from CUSTODY_PASSWORD, printing no password", async () => {
    // In-process, with the environment set and the configuration read again for the command (lib/testing/cli.ts).
    const run = await runCli(["user", "create", "--email", "Root@Example.com", "--role", "admin", "--name", "Root"], {
      env: { DATABASE_URL: h.url ?? "", CUSTODY_PASSWORD: "first admin password" },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^user \d+ root@example.com \(admin\) created\n$/);
    await expect(signInWithPassword(h.db, { email: "root@example.com", password: "first admin password" }, { ip: "10.2.0.3", userAgent: null })).resolves.toBeTruthy();
  });
});
