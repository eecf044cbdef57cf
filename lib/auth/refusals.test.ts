import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { verifyAuditLog } from "../audit/verify";
import { AppError } from "../errors";
import { flushRefusalCounts, recordRefusal, refusalLimits } from "./refusals";
import { authorize } from "./request";

let h: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

const refusedFrom = (ip: string) =>
  new Request("http://custody.test/api/v1/audit-log", { headers: { authorization: "Bearer cst_not-a-real-token", "x-custody-peer": ip } });
const entries = async (ip: string) =>
  queryRows<{ action: string; details: Record<string, unknown> }>(h.db, sql`select action, details from audit_log where ip = ${ip} order by seq`);

describe("refusals in the audit log", () => {
  it("answers every refused request but records at most the per-address limit a minute, then says it stopped", async () => {
    const attempts = refusalLimits.perAddress + 10;
    for (let i = 0; i < attempts; i += 1) {
      await expect(authorize(h.db, refusedFrom("203.0.113.9"), "audit:read")).rejects.toBeInstanceOf(AppError);
    }
    const mine = await entries("203.0.113.9");
    expect(mine.filter((e) => e.action === "access.denied")).toHaveLength(refusalLimits.perAddress);
    expect(mine.filter((e) => e.action === "access.denied.throttled")).toHaveLength(1);
    expect(mine.at(-1)?.details).toMatchObject({ throttled: "address", recordedPerWindow: refusalLimits.perAddress, windowSeconds: 60 });
    // Another address is still recorded.
    await expect(authorize(h.db, refusedFrom("198.51.100.7"), "audit:read")).rejects.toBeInstanceOf(AppError);
    expect((await entries("198.51.100.7")).map((e) => e.action)).toEqual(["access.denied"]);
  });

  it("caps refusals from all addresses together, so spoofed addresses cannot flood the log either", async () => {
    const limits = { perAddress: 5, overall: 8, windowSeconds: 60 };
    await h.db.execute(sql`delete from rate_limits where key like 'audit-refusals:%'`);
    for (let i = 0; i < 20; i += 1) {
      await recordRefusal(h.db, { actor: "(token)", actorType: "token", action: "access.denied", target: "GET /x", outcome: "denied", ip: `192.0.2.${i}`, details: {} }, limits);
    }
    const rows = await queryRows<{ action: string; details: Record<string, unknown> }>(h.db, sql`select action, details from audit_log where ip like '192.0.2.%' order by seq`);
    expect(rows.filter((r) => r.action === "access.denied")).toHaveLength(8);
    expect(rows.filter((r) => r.action === "access.denied.throttled").map((r) => r.details.throttled)).toEqual(["all addresses"]);
  });

  it("counts the refusals it did not record, and records the count once per window", async () => {
    const limits = { perAddress: 2, overall: 100, windowSeconds: 1 };
    await h.db.execute(sql`delete from rate_limits where key like 'audit-refusals:%'`);
    const refuse = () =>
      recordRefusal(h.db, { actor: "(token)", actorType: "token", action: "access.denied", target: "GET /x", outcome: "denied", ip: "192.0.2.200", details: {} }, limits);
    for (let i = 0; i < 12; i += 1) await refuse();
    await new Promise((r) => setTimeout(r, 1100));
    await refuse();
    const rows = await queryRows<{ action: string; details: Record<string, unknown> }>(
      h.db,
      sql`select action, details from audit_log where ip = '192.0.2.200' or action = 'access.denied.aggregate' order by seq`,
    );
    expect(rows.map((r) => r.action)).toEqual(["access.denied", "access.denied", "access.denied.throttled", "access.denied.aggregate", "access.denied"]);
    expect(rows[3]?.details).toMatchObject({ unrecorded: 10, windowSeconds: 1 });
  });

  it("records a pending count when the audit log is read, without waiting for the next refusal", async () => {
    const limits = { perAddress: 1, overall: 100, windowSeconds: 1 };
    await h.db.execute(sql`delete from rate_limits where key like 'audit-refusals:%'`);
    for (let i = 0; i < 4; i += 1) {
      await recordRefusal(h.db, { actor: "(token)", actorType: "token", action: "access.denied", target: "GET /y", outcome: "denied", ip: "192.0.2.201", details: {} }, limits);
    }
    await new Promise((r) => setTimeout(r, 1100));
    await flushRefusalCounts(h.db, limits);
    const [last] = await queryRows<{ action: string; details: Record<string, unknown> }>(h.db, sql`select action, details from audit_log order by seq desc limit 1`);
    expect(last).toMatchObject({ action: "access.denied.aggregate", details: { unrecorded: 3 } });
  });

  it("keeps the audit chain intact", async () => {
    expect((await verifyAuditLog(h.db)).ok).toBe(true);
  });
});
