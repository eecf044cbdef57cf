import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingThing, pagePermission } from "./pages";

const appDir = path.resolve(import.meta.dirname, "../../app");

function pages(dir = appDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "api" ? [] : pages(p);
    return e.name === "page.tsx" ? [p] : [];
  });
}

describe("page permissions", () => {
  it("the 403 page names the same permission the page itself asks requireUser for", () => {
    const checked = pages().flatMap((file) => {
      const asked = /requireUser\("([a-z:]+)"/.exec(readFileSync(file, "utf8"))?.[1];
      if (!asked) return [];
      const route = `/${path.relative(appDir, path.dirname(file)).split(path.sep).join("/")}`.replace(/\[[^\]]+\]/g, "x").replace(/\/$/, "") || "/";
      expect(pagePermission(route), route).toBe(asked);
      return [route];
    });
    expect(checked).toEqual(expect.arrayContaining(["/", "/reports", "/audit-log", "/settings/users", "/incidents/new", "/deployments/x"]));
  });

  it("the 404 page names what was looked for", () => {
    expect(missingThing("/deployments/999999")).toBe("Deployment 999999");
    expect(missingThing("/environments/pre%20prod")).toBe("Environment pre prod");
    expect(missingThing("/environments/%E0%A4%A")).toBe("Environment %E0%A4%A");
    expect(missingThing("/no/such/page")).toBeNull();
  });
});
