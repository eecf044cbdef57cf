import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { notificationDeliveries, notificationSubscriptions, waivers } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { openFindings } from "../findings/store";
import { createSubscription, deliveryLog, disabledTargets } from "./targets";
import { drainNotifications, enqueueExpiringWaivers } from "./worker";

type Received = { headers: IncomingMessage["headers"]; body: string };
let handle: DatabaseHandle;
let server: Server;
let base = "";
const received: Received[] = [];
/** What the receiver answers next, by path; 200 when nothing is queued. */
const answers = new Map<string, number[]>();

beforeAll(async () => {
  handle = await createTestDatabase();
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const status = answers.get(req.url ?? "")?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "no_service");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await handle?.close();
});

const admin = { actor: "admin@acme.com", actorType: "user" as const };
let n = 0;
const finding = (severity: "high" | "low", environment = "production") => {
  n++;
  return {
    ruleId: severity === "high" ? "drift.gitops-suspended" : "drift.rollback-gap",
    subjectKey: `${environment}/flux/apps/Kustomization/app-${n}`,
    environment,
    service: `app-${n}`,
    summary: `Flux Kustomization apps/app-${n} in ${environment} is suspended.`,
    evidence: {},
    observedAt: new Date("2026-12-01T10:00:00Z"),
  };
};

describe("notification targets", () => {
  it("refuses a URL that is not https (except localhost): 400, nothing stored", async () => {
    for (const url of ["http://hooks.example.com/x", "ftp://example.com", "https://user:pw@example.com/x", "not a url"]) {
      await expect(createSubscription(handle.db, { name: "x", kind: "webhook", url, topics: ["finding"] }, admin)).rejects.toMatchObject({ code: "VALIDATION" });
    }
    expect(await handle.db.select().from(notificationSubscriptions)).toEqual([]);
  });
});

describe("a new finding, signed and delivered to a webhook", () => {
  let secret = "";
  it("is queued with the finding in its transaction, then delivered by the worker, signed per Standard Webhooks", async () => {
    const made = await createSubscription(handle.db, { name: "ops webhook", kind: "webhook", url: `${base}/hook`, topics: ["finding"], minSeverity: "high", environments: ["production"] }, admin);
    secret = made.signingSecret ?? "";
    expect(secret).toMatch(/^whsec_/);
    expect(made.subscription.url).toBe(`${base}/…`);

    await handle.db.transaction((tx) => openFindings(tx, [finding("high"), finding("low"), finding("high", "staging")]));
    const queued = await handle.db.select().from(notificationDeliveries);
    expect(queued).toHaveLength(1);
    expect(received).toHaveLength(0);

    expect(await drainNotifications(handle.db)).toMatchObject({ delivered: 1 });
    const got = received.at(-1);
    if (!got) throw new Error("nothing received");
    const payload = new Webhook(secret).verify(got.body, {
      "webhook-id": String(got.headers["webhook-id"]),
      "webhook-timestamp": String(got.headers["webhook-timestamp"]),
      "webhook-signature": String(got.headers["webhook-signature"]),
    }) as { type: string; id: string; text: string; finding: { ruleId: string; environment: string } };
    expect(payload).toMatchObject({ type: "finding", id: queued[0]?.messageId, finding: { ruleId: "drift.gitops-suspended", environment: "production" } });
    expect(payload.text).toMatch(/New high finding drift.gitops-suspended in production/);
    expect(() => new Webhook(secret).verify(`${got.body} `, { "webhook-id": String(got.headers["webhook-id"]), "webhook-timestamp": String(got.headers["webhook-timestamp"]), "webhook-signature": String(got.headers["webhook-signature"]) })).toThrow();
  });

  it("the same finding seen again is not news: no second delivery", async () => {
    const again = finding("high");
    await handle.db.transaction((tx) => openFindings(tx, [again]));
    const before = (await handle.db.select().from(notificationDeliveries)).length;
    await handle.db.transaction((tx) => openFindings(tx, [again]));
    expect((await handle.db.select().from(notificationDeliveries)).length).toBe(before);
    await drainNotifications(handle.db);
  });

  it("retries a failing target with backoff, from the state in Postgres (as after a restart)", async () => {
    answers.set("/hook", [503]);
    await handle.db.transaction((tx) => openFindings(tx, [finding("high")]));
    const t0 = new Date();
    expect(await drainNotifications(handle.db, t0)).toMatchObject({ retried: 1, delivered: 0 });
    const [pending] = await handle.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.status, "pending"));
    expect(pending).toMatchObject({ attempts: 1, lastStatus: 503 });
    expect(pending?.nextAttemptAt.getTime()).toBeGreaterThan(t0.getTime());
    // Not due yet: nothing is sent.
    expect(await drainNotifications(handle.db, t0)).toMatchObject({ retried: 0, delivered: 0 });
    // A new worker (a restarted server) picks it up when it is due.
    expect(await drainNotifications(handle.db, new Date(t0.getTime() + 60_000))).toMatchObject({ delivered: 1 });
    const ids = received.slice(-2).map((r) => r.headers["webhook-id"]);
    expect(ids[0]).toBe(ids[1]);
  });
});

describe("Slack incoming webhooks", () => {
  it("gets a readable message with its link; a 4xx is logged and not retried", async () => {
    await createSubscription(handle.db, { name: "team slack", kind: "slack", url: `${base}/slack`, topics: ["finding", "waiver-expiring"] }, admin);
    await handle.db.transaction((tx) => openFindings(tx, [finding("low")]));
    await drainNotifications(handle.db);
    const message = JSON.parse(received.at(-1)?.body ?? "{}") as { text: string };
    expect(message.text).toMatch(/New medium finding drift.rollback-gap in production\/app-\d+: .*suspended/);

    answers.set("/slack", [404]);
    await handle.db.transaction((tx) => openFindings(tx, [finding("low")]));
    expect(await drainNotifications(handle.db)).toMatchObject({ failed: 1 });
    const [entry] = (await deliveryLog(handle.db)).filter((d) => d.target === "team slack");
    expect(entry).toMatchObject({ status: "failed", lastStatus: 404, attempts: 1 });
    expect(entry?.lastError).toMatch(/not retried/);
    expect(await drainNotifications(handle.db, new Date(Date.now() + 3_600_000))).toMatchObject({ delivered: 0, failed: 0, retried: 0 });
  });

  it("tells of a waiver that expires within 7 days, once", async () => {
    const now = new Date();
    await handle.db.insert(waivers).values({ ruleId: "drift.rollback-gap", subjectKey: "reviews-svc", justification: "registry migration", approver: "carol@acme.com", createdBy: "bob@acme.com", expiresAt: new Date(now.getTime() + 3 * 86_400_000) });
    expect(await enqueueExpiringWaivers(handle.db, now)).toBe(1);
    await enqueueExpiringWaivers(handle.db, now);
    const r = await drainNotifications(handle.db, new Date(now.getTime() + 1000));
    expect(r).toMatchObject({ delivered: 1 });
    expect(JSON.parse(received.at(-1)?.body ?? "{}").text).toMatch(/waiver of drift.rollback-gap for reviews-svc expires on/);
  });
});

describe("a target that fails for a day", () => {
  it("is disabled, and the admins are told", async () => {
    await createSubscription(handle.db, { name: "dead end", kind: "webhook", url: `${base}/down`, topics: ["incident", "finding"] }, admin);
    answers.set("/down", Array.from({ length: 5 }, () => 500));
    await handle.db.transaction((tx) => openFindings(tx, [finding("high")]));
    const start = new Date(Date.now() + 1000);
    await drainNotifications(handle.db, start);
    await drainNotifications(handle.db, new Date(start.getTime() + 25 * 3_600_000));
    const [disabled] = await disabledTargets(handle.db);
    expect(disabled).toMatchObject({ name: "dead end", enabled: false, disabledReason: expect.stringMatching(/24 hours/) });
  });
});
