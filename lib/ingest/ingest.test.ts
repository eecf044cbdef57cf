import { count, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { deployments, ledgerEvents, pullRequests, reviews } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import type { CustodyEvent } from "../events/schema";
import { verifyLedger } from "../ledger/ledger";
import { ingestEvents } from "./events-api";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => {
  await h?.close();
});

const digest = "sha256:3f1c8a2b9d7e6f5a4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c";
const deployment = (id: string, over: Partial<CustodyEvent> = {}): CustodyEvent =>
  ({
    id,
    type: "deployment",
    occurredAt: "2026-03-14T09:58:00Z",
    service: "checkout",
    environment: "production",
    imageRef: `ghcr.io/acme/checkout@${digest}`,
    actorType: "pipeline",
    changeType: "normal",
    status: "success",
    ...over,
  }) as CustodyEvent;

const ledgerCount = async () => (await h.db.select({ n: count() }).from(ledgerEvents))[0]?.n ?? 0;

describe("ingest into the ledger", () => {
  it("stores an event with its projection and a verifiable chain", async () => {
    const raw = JSON.stringify(deployment("dep-1"));
    const r = await ingestEvents(h.db, JSON.parse(raw), raw);
    expect(r).toEqual({ accepted: 1, duplicates: 0 });
    const [row] = await h.db.select().from(ledgerEvents);
    expect(row?.body).toBe(raw);
    expect(row?.source).toBe("events");
    expect(row?.deliveryId).toBe("dep-1");
    const [dep] = await h.db.select().from(deployments);
    expect(dep?.digest).toBe(digest);
    const v = await verifyLedger(h.db);
    expect(v).toMatchObject({ ok: true, events: 1, firstBadSeq: null });
  });

  it("answers a resent id as a duplicate and stores nothing new", async () => {
    const before = await ledgerCount();
    const raw = JSON.stringify(deployment("dep-1"));
    expect(await ingestEvents(h.db, JSON.parse(raw), raw)).toEqual({ accepted: 0, duplicates: 1 });
    expect(await ledgerCount()).toBe(before);
  });

  it("keeps one copy when 20 copies of an event arrive at once", async () => {
    const before = await ledgerCount();
    const raw = JSON.stringify(deployment("dep-burst"));
    const results = await Promise.all(Array.from({ length: 20 }, () => ingestEvents(h.db, JSON.parse(raw), raw)));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(19);
    expect(await ledgerCount()).toBe(before + 1);
    expect((await verifyLedger(h.db)).ok).toBe(true);
  });

  it("rejects a whole batch when one event is invalid, storing nothing", async () => {
    const before = await ledgerCount();
    const body = { events: [deployment("batch-ok"), { ...deployment("batch-bad"), digest: "sha256:nothex" }] };
    await expect(ingestEvents(h.db, body, JSON.stringify(body))).rejects.toMatchObject({
      code: "VALIDATION",
      message: expect.stringContaining("events.1.digest"),
    });
    expect(await ledgerCount()).toBe(before);
  });

  it("links an approval that arrives after the deployment", async () => {
    const events = [
      { id: "pr-1", type: "pull_request", occurredAt: "2026-03-14T09:00:00Z", repository: "acme/checkout", number: 7, title: "Fix rounding", body: "", author: "alice", state: "closed", merged: true, mergeCommitSha: "a".repeat(40), headSha: "b".repeat(40) },
      { id: "rv-1", type: "review", occurredAt: "2026-03-14T08:30:00Z", repository: "acme/checkout", pullNumber: 7, reviewId: "991", reviewer: "bob", state: "approved", commitSha: "b".repeat(40) },
    ];
    await ingestEvents(h.db, { events: [events[1]] }, "");
    await ingestEvents(h.db, { events: [events[0]] }, "");
    const [pr] = await h.db.select().from(pullRequests);
    const rv = await h.db.select().from(reviews);
    expect(pr?.number).toBe(7);
    expect(rv.map((r) => r.reviewer)).toEqual(["bob"]);
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the ledger at the database level", async () => {
    for (const statement of [sql`update ledger_events set body = 'x'`, sql`delete from ledger_events`, sql`truncate ledger_events`]) {
      const error = await h.db.execute(statement).then(
        () => null,
        (e: unknown) => e as Error & { cause?: Error },
      );
      expect(error?.cause?.message ?? error?.message).toMatch(/append-only/);
    }
    expect((await verifyLedger(h.db)).ok).toBe(true);
  });

  it("names the first bad sequence number when someone with DDL rights rewrites an entry", async () => {
    await h.db.execute(sql`alter table ledger_events disable trigger ledger_events_append_only`);
    await h.db.execute(sql`update ledger_events set body = replace(body, 'production', 'staging') where seq = 2`);
    await h.db.execute(sql`alter table ledger_events enable trigger ledger_events_append_only`);
    const v = await verifyLedger(h.db);
    expect(v.ok).toBe(false);
    expect(v.firstBadSeq).toBe(2);
  });
});
