import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";
import { serves } from "./respond";

const appDir = path.resolve(import.meta.dirname, "../../app");
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every route.ts under app/api as the OpenAPI path it serves (`[id]` → `{id}`), without the JSON 404 catch-all. */
function discoverRoutes(dir = path.join(appDir, "api")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return discoverRoutes(p);
    return e.name === "route.ts" ? [path.relative(appDir, dir).split(path.sep).join("/")] : [];
  });
}

describe("the OpenAPI document", () => {
  it("describes every API route and every method it answers, and nothing that does not exist", async () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    // The catch-all only answers 404 for paths no route serves.
    const routes = discoverRoutes().filter((r) => r !== "api/v1/[...path]");
    const served: Record<string, string[]> = {};
    for (const route of routes) {
      const mod = (await import(path.join(appDir, route, "route.ts"))) as Record<string, unknown>;
      const key = `/${route}`.replace(/\[\.\.\.(\w+)\]/g, "{$1}").replace(/\[(\w+)\]/g, "{$1}");
      served[key] = methods.filter((m) => serves(mod, m)).map((m) => m.toLowerCase()).sort();
    }
    const documented = Object.fromEntries(Object.entries(doc.paths).map(([k, ops]) => [k, Object.keys(ops).sort()]));
    expect(documented).toEqual(served);
  });
});
