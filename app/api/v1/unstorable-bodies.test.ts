import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { sessionCookies } from "@/lib/auth/testing";
import { errorOf, jsonRequest, noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST as signIn } from "./auth/sign-in/route";
import { POST as decide } from "./decisions/route";
import { POST as createEngagement } from "./engagements/route";
import { POST as openIncident } from "./incidents/route";

// A string Postgres cannot store (U+0000, a lone UTF-16 surrogate) in a JSON or form body reached the
// database from these routes, which answered 500 over HTTP (probed against `custody start`, 4 Dec 2026).
// Each must be a 400 naming the field, with nothing stored.
let h: RouteHarness;
let cookies: Awaited<ReturnType<typeof sessionCookies>>;
beforeAll(async () => {
  h = await setupRouteHarness();
  cookies = await sessionCookies(h.handle.db);
});
afterAll(async () => h?.handle.close());

const count = async (table: "engagements" | "gate_decisions" | "incidents") =>
  Number((await queryRows<{ n: string | number }>(h.handle.db, sql`select count(*) as n from ${sql.identifier(table)}`))[0]?.n);
const session = (cookie: string) => ({ cookie, origin: "http://localhost" });
const digest = `sha256:${"0".repeat(64)}`;

describe("strings Postgres cannot store, in request bodies", () => {
  it("sign-in, JSON and form: 400 naming the field, not 500", async () => {
    const json = await signIn(jsonRequest("/api/v1/auth/sign-in", { email: "a\u0000@example.com", password: "x" }, { origin: "http://localhost" }), noContext);
    expect(json.status).toBe(400);
    expect(await errorOf(json)).toMatchObject({ code: "VALIDATION", message: expect.stringMatching(/^body\.email: contains U\+0000/) });
    const form = await signIn(
      new Request("http://localhost/api/v1/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
        body: "email=a%00b%40example.com&password=x",
      }),
      noContext,
    );
    expect(form.status).toBe(400);
    expect((await errorOf(form)).message).toMatch(/^body\.email: contains U\+0000/);
  });

  it("an engagement whose name holds a NUL: 400, and no engagement is created", async () => {
    const before = await count("engagements");
    const res = await createEngagement(
      jsonRequest("/api/v1/engagements", { name: "Q4\u0000", framework: "soc2", from: "2026-11-01", to: "2026-11-30" }, session(cookies.compliance)),
      noContext,
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/^body\.name: contains U\+0000/);
    expect(await count("engagements")).toBe(before);
  });

  it("a gate decision for a service holding a lone surrogate: 400, and no decision is recorded", async () => {
    const before = await count("gate_decisions");
    const res = await decide(
      jsonRequest("/api/v1/decisions", { gate: "deployment", environment: "production", digest, service: "check\ud800out" }, { authorization: `Bearer ${h.tokens.ingest}` }),
      noContext,
    );
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/^body\.service: contains a lone UTF-16 surrogate/);
    expect(await count("gate_decisions")).toBe(before);
  });

  it("an incident whose title holds a NUL: 400, and no incident is opened", async () => {
    const before = await count("incidents");
    const res = await openIncident(jsonRequest("/api/v1/incidents", { title: "outage\u0000", owner: "admin@custody.demo" }, session(cookies.admin)), noContext);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/^body\.title: contains U\+0000/);
    expect(await count("incidents")).toBe(before);
  });
});
