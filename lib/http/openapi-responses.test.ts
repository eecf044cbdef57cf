import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { setupRouteHarness, type RouteHarness } from "../testing/route-harness";
import { openApiDocument } from "./openapi";
import { responseSchemas, type ResponseSchemaName } from "./response-schemas";

type Operation = { responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
const appDir = path.resolve(import.meta.dirname, "../../app");

/** The schema the document names for a path's successful JSON answer. */
function documentedSchema(route: string, method = "get", status = "200"): ResponseSchemaName {
  const name = doc.paths[route]?.[method]?.responses[status]?.content?.["application/json"]?.schema?.$ref?.replace("#/components/schemas/", "");
  if (!name || !(name in responseSchemas)) throw new Error(`${method} ${route} ${status}: no response schema in the document`);
  return name as ResponseSchemaName;
}

let h: RouteHarness;
beforeAll(async () => {
  h = await setupRouteHarness({ demo: "30-days" });
}, 240_000);
afterAll(async () => h?.handle.close());

async function get(dir: string, url: string, params: Record<string, string | string[]> = {}): Promise<{ status: number; body: unknown }> {
  const mod = (await import(/* @vite-ignore */ path.join(appDir, "api", dir, "route.ts"))) as { GET: (r: Request, c: unknown) => Promise<Response> };
  const res = await mod.GET(new Request(`http://localhost${url}`, { headers: { authorization: `Bearer ${h.tokens.read}` } }), { params: Promise.resolve(params) });
  return { status: res.status, body: await res.json() };
}

const firstId = (body: unknown): string => String(((body as { items: { id: number }[] }).items[0] ?? { id: 0 }).id);

describe("the OpenAPI document's response schemas", () => {
  it("are generated from the zod schemas the tests hold the routes to", () => {
    for (const [name, schema] of Object.entries(responseSchemas)) {
      expect(doc.components.schemas[name], name).toEqual(z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }));
    }
  });

  it("give every JSON read route a schema, not an empty answer", () => {
    for (const [route, ops] of Object.entries(doc.paths)) {
      const ok = ops.get?.responses["200"];
      if (!ok || !route.startsWith("/api/v1/")) continue;
      expect(ok.content, `GET ${route}`).toBeDefined();
    }
  });

  it("describe what the routes really answer, on the demo history", async () => {
    const deployments = await get("v1/deployments", "/api/v1/deployments?environment=production&limit=3");
    const findings = await get("v1/findings", "/api/v1/findings?limit=5");
    const deploymentId = firstId(deployments.body);
    const deployment = await get("v1/deployments/[id]", `/api/v1/deployments/${deploymentId}`, { id: deploymentId });
    const digest = (deployment.body as { digest: string }).digest;
    const answers: [string, { status: number; body: unknown }][] = [
      ["/api/v1/deployments", deployments],
      ["/api/v1/findings", findings],
      ["/api/v1/deployments/{id}", deployment],
      ["/api/v1/environments", await get("v1/environments", "/api/v1/environments")],
      ["/api/v1/environments/{name}/state", await get("v1/environments/[name]/state", "/api/v1/environments/production/state", { name: "production" })],
      ["/api/v1/trace/{ref}", await get("v1/trace/[...ref]", `/api/v1/trace/${digest}`, { ref: [digest] })],
      ["/api/v1/findings/{id}/waivers", await get("v1/findings/[id]/waivers", "/api/v1/findings/x/waivers", { id: firstId(findings.body) })],
      ["/api/v1/incidents", await get("v1/incidents", "/api/v1/incidents")],
      ["/api/v1/promotion", await get("v1/promotion", "/api/v1/promotion")],
      ["/api/v1/ledger/verify", await get("v1/ledger/verify", "/api/v1/ledger/verify")],
      ["/api/v1/ledger/checkpoints", await get("v1/ledger/checkpoints", "/api/v1/ledger/checkpoints")],
      ["/api/v1/keys", await get("v1/keys", "/api/v1/keys")],
    ];
    for (const [route, answer] of answers) {
      expect(answer.status, route).toBe(200);
      const parsed = responseSchemas[documentedSchema(route)].safeParse(answer.body);
      expect(parsed.success ? [] : parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`), route).toEqual([]);
    }
    const missing = await get("v1/deployments/[id]", "/api/v1/deployments/999999999", { id: "999999999" });
    expect(missing.status).toBe(404);
    expect(responseSchemas.Error.safeParse(missing.body).success).toBe(true);
  }, 120_000);
});
