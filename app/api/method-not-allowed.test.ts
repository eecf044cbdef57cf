import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serves } from "@/lib/http/respond";

// Every API route answers a method it does not serve with 405 in the contract's error envelope and an
// `Allow` header (Next's own 405 has an empty body), and OPTIONS with 204 and the same `Allow`. A new
// route file that forgets `otherMethods` (lib/http/respond.ts) fails here.
const root = path.join(import.meta.dirname);
const routeFiles = readdirSync(root, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(`${path.sep}route.ts`) || f === "route.ts")
  .filter((f) => !f.includes("[...path]"))
  .sort();
const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Route = Partial<Record<(typeof methods)[number] | "OPTIONS", (req: Request, ctx: unknown) => Promise<Response>>>;

describe("methods a route does not serve", () => {
  it("finds the routes", () => {
    expect(routeFiles.length).toBeGreaterThan(50);
    expect(routeFiles).toContain(path.join("v1", "events", "route.ts"));
  });

  for (const file of routeFiles) {
    it(`${file}: OPTIONS names what it serves, the rest answer 405 in the error envelope`, async () => {
      const route = (await import(path.join(root, file))) as Route;
      const url = `http://localhost/api/${file.replace(/route\.ts$/, "").replaceAll(path.sep, "/")}`;
      const optionsOf = route.OPTIONS;
      if (!optionsOf) throw new Error(`${file} exports no OPTIONS (export otherMethods from lib/http/respond.ts)`);
      const options = await optionsOf(new Request(url, { method: "OPTIONS" }), { params: Promise.resolve({}) });
      expect(options.status).toBe(204);
      const allow = (options.headers.get("allow") ?? "").split(", ");
      expect(allow).toContain("OPTIONS");
      const served = methods.filter((m) => allow.includes(m));
      expect(served.length, `${file} serves something`).toBeGreaterThan(0);
      expect(served, "Allow names exactly the methods the file serves").toEqual(methods.filter((m) => serves(route, m)));
      for (const m of methods) {
        const fn = route[m];
        if (!fn) throw new Error(`${file} exports no ${m}`);
        if (served.includes(m)) continue;
        const res = await fn(new Request(url, { method: m }), { params: Promise.resolve({}) });
        expect(res.status, `${m} ${file}`).toBe(405);
        expect(res.headers.get("allow")).toBe(allow.join(", "));
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
        expect(body.error).toMatchObject({ code: "METHOD_NOT_ALLOWED", message: expect.stringContaining(m), requestId: expect.any(String) });
      }
    });
  }
});
