import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidents } from "@/db/schema";
import { sessionCookies } from "@/lib/auth/testing";
import type { Role } from "@/lib/auth/permissions";
import { errorOf, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST as close } from "./close/route";
import { PATCH } from "./route";
import { POST as addStep } from "./steps/route";
import { POST as open } from "../route";

let t: RouteHarness;
let cookies: Record<Role, string>;
const call = (fn: (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>, role: Role, path: string, method: string, body?: unknown, id = "1") =>
  fn(
    new Request(`http://localhost/api/v1/incidents${path}`, {
      method,
      headers: { cookie: cookies[role], origin: "http://localhost", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { params: Promise.resolve({ id }) },
  );

beforeAll(async () => {
  t = await setupRouteHarness();
  cookies = await sessionCookies(t.handle.db);
});
afterAll(async () => t?.handle.close());

describe("incident writes that are refused change nothing", () => {
  it("opens from scratch as a manager; an auditor may not open, edit, add a step or close", async () => {
    const res = await call(open, "manager", "", "POST", { owner: "maya@acme.com", environment: "production", title: "Config edited by hand" });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: number };
    expect((await call(open, "auditor", "", "POST", { owner: "arun", environment: "production" })).status).toBe(403);
    const patch = await call(PATCH, "auditor", `/${id}`, "PATCH", { rootCause: "auditor wrote this" }, String(id));
    expect(patch.status).toBe(403);
    expect((await errorOf(patch)).message).toBe("your role (auditor) may not incidents:write");
    expect((await call(addStep, "compliance", `/${id}/steps`, "POST", { step: "identify", notes: "x" }, String(id))).status).toBe(403);
    expect((await call(close, "auditor", `/${id}/close`, "POST", undefined, String(id))).status).toBe(403);
    const rows = await t.handle.db.select().from(incidents);
    expect(rows.map((r) => [r.title, r.status, r.rootCause])).toEqual([["Config edited by hand", "open", null]]);
  });

  it("names the bad field, an unknown step, an unknown deployment and what closing still needs", async () => {
    expect((await errorOf(await call(open, "manager", "", "POST", { owner: "maya" }))).message).toBe("environment: required when the incident is opened without findings");
    expect((await errorOf(await call(addStep, "manager", "/1/steps", "POST", { step: "blame", notes: "x" }))).message).toBe(
      "step: must be one of identify, fix, document, root-cause, corrective-action",
    );
    const link = await call(PATCH, "manager", "/1", "PATCH", { fixDeploymentKey: "no-such-deploy" });
    expect([link.status, (await errorOf(link)).message]).toEqual([400, "fixDeploymentKey: no deployment no-such-deploy"]);
    expect((await errorOf(await call(PATCH, "manager", "/1", "PATCH", {}))).message).toContain("send at least one of");
    const shut = await call(close, "admin", "/1/close", "POST");
    expect(shut.status).toBe(409);
    const message = (await errorOf(shut)).message;
    expect(message).toContain('step "identify" (Identify what was changed) is not recorded');
    expect(message).toContain("no fix deployment is linked");
    expect(message).toContain("the corrective action is not recorded");
    expect((await call(PATCH, "manager", "/999", "PATCH", { owner: "x" }, "999")).status).toBe(404);
  });
});
