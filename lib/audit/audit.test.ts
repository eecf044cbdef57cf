import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { auditCsvChunks, displayIp, listAudit } from "./query";
import { recordAudit } from "./record";
import { verifyAuditLog } from "./verify";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
  for (let i = 1; i <= 7; i += 1) {
    await h.db.transaction((tx) =>
      recordAudit(tx, { actor: i === 3 ? "=HYPERLINK(\"http://evil\")" : `user${i}@example.com`, actorType: "user", action: "token.issue", target: `token:${i}`, ip: i === 5 ? "=cmd|' /C calc'!A0" : "10.0.0.9", details: { name: `ci-${i}`, scopes: ["ingest"] } }),
    );
  }
});
afterAll(async () => h?.close());

async function csv(): Promise<string[][]> {
  let text = "";
  for await (const chunk of auditCsvChunks(h.db, 3)) text += chunk;
  return parse(text) as string[][];
}

describe("the audit log", () => {
  it("is a valid chain, newest first, paged by cursor", async () => {
    expect(await verifyAuditLog(h.db)).toMatchObject({ ok: true, entries: 7 });
    const first = await listAudit(h.db, { limit: 3 });
    expect(first.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    const second = await listAudit(h.db, { limit: 3, cursor: first.nextCursor });
    expect(second.entries.map((e) => e.seq)).toEqual([4, 3, 2]);
    const third = await listAudit(h.db, { limit: 3, cursor: second.nextCursor });
    expect([third.entries.map((e) => e.seq), third.nextCursor]).toEqual([[1], null]);
  });

  it("filters by actor (any case), action or action family, and period, and refuses a bad day", async () => {
    expect((await listAudit(h.db, { actor: "USER2@example.com" })).entries.map((e) => e.seq)).toEqual([2]);
    expect((await listAudit(h.db, { action: "token.issue" })).entries).toHaveLength(7);
    expect((await listAudit(h.db, { action: "token." })).entries).toHaveLength(7);
    expect((await listAudit(h.db, { action: "token" })).entries).toHaveLength(0);
    expect((await listAudit(h.db, { action: "auth." })).entries).toHaveLength(0);
    const today = new Date().toISOString().slice(0, 10);
    expect((await listAudit(h.db, { from: today, to: today })).entries).toHaveLength(7);
    expect((await listAudit(h.db, { to: "2000-01-01" })).entries).toHaveLength(0);
    await expect(listAudit(h.db, { from: "01/12/2026" })).rejects.toMatchObject({ code: "VALIDATION" });
    expect(displayIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(displayIp("2001:db8::1")).toBe("2001:db8::1");
  });

  it("an entry that failed mid-transaction leaves no gap", async () => {
    await expect(
      h.db.transaction(async (tx) => {
        await recordAudit(tx, { actor: "x", actorType: "user", action: "user.create" });
        throw new Error("the change it described failed");
      }),
    ).rejects.toThrow();
    expect(await verifyAuditLog(h.db)).toMatchObject({ ok: true, entries: 7 });
  });

  it("refuses UPDATE and DELETE, and verify names the first entry changed behind the triggers' back", async () => {
    await expect(h.db.execute(sql`update audit_log set actor = 'someone-else' where seq = 4`)).rejects.toThrow();
    await expect(h.db.execute(sql`delete from audit_log where seq = 7`)).rejects.toThrow();
    await h.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await h.db.execute(sql`update audit_log set outcome = 'failure' where seq = 4`);
    await h.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    expect(await verifyAuditLog(h.db)).toMatchObject({ ok: false, firstBadSeq: 4 });
    await h.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await h.db.execute(sql`update audit_log set outcome = 'success' where seq = 4`);
    await h.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    expect((await verifyAuditLog(h.db)).ok).toBe(true);
  });

  it("exports every entry as CSV with its hashes, formulas neutralised", async () => {
    const rows = await csv();
    expect(rows[0]).toEqual(["seq", "at", "actor", "actorType", "action", "target", "outcome", "ip", "details", "prevHash", "hash"]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(rows[3]?.[2]).toBe("'=HYPERLINK(\"http://evil\")");
    // An address stored before addresses were validated could hold anything a client sent.
    expect(rows[5]?.[7]).toBe("'=cmd|' /C calc'!A0");
    expect(JSON.parse(rows[1]?.[8] ?? "")).toEqual({ name: "ci-1", scopes: ["ingest"] });
    expect(rows[2]?.[9]).toBe(rows[1]?.[10]);
  });
});
