import { describe, expect, it } from "vitest";
import { urlRefusal, urlRefusalResponse } from "./url-guard";

describe("urlRefusal", () => {
  it("refuses %00 in the path or the query, in either case of hex", () => {
    expect(urlRefusal("/api/v1/trace/%00", "")).toMatch(/NUL/);
    expect(urlRefusal("/api/v1/findings", "?environment=prod%00uction")).toMatch(/NUL/);
    expect(urlRefusal("/api/v1/trace/a", "?x=%00")).toMatch(/NUL/);
  });

  it("refuses a path whose percent-encoding is not UTF-8", () => {
    expect(urlRefusal("/api/v1/trace/%FF", "")).toMatch(/not valid percent-encoded UTF-8/);
    expect(urlRefusal("/environments/%ED%A0%80", "")).toMatch(/not valid percent-encoded UTF-8/);
    expect(urlRefusal("/api/v1/trace/%E2%82", "")).toMatch(/not valid percent-encoded UTF-8/);
  });

  it("lets through what real names and references look like, and text that only names %00", () => {
    expect(urlRefusal("/api/v1/trace/sha256%3Aab12", "")).toBeNull();
    expect(urlRefusal("/api/v1/trace/acme%2Fcheckout%23412", "")).toBeNull();
    expect(urlRefusal("/environments/%E6%9C%AC%E7%95%AA", "?at=2026-03-14T10%3A00%3A00Z")).toBeNull();
    // "%2500" is the text "%00", which is not a NUL.
    expect(urlRefusal("/api/v1/findings", "?environment=%2500")).toBeNull();
    // A query's undecodable bytes become U+FFFD, harmless text; the routes validate it.
    expect(urlRefusal("/api/v1/findings", "?environment=%FF")).toBeNull();
  });

  it("answers API paths in the contract's error shape and pages as HTML, both 400", async () => {
    const api = urlRefusalResponse("/api/v1/trace/%FF", "the URL's path is not valid percent-encoded UTF-8", "req-1");
    expect(api.status).toBe(400);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await api.json()).toEqual({ error: { code: "VALIDATION", message: "the URL's path is not valid percent-encoded UTF-8", requestId: "req-1" } });
    const page = urlRefusalResponse("/environments/%FF", "the URL's path is not valid percent-encoded UTF-8", "req-2");
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<h1>Bad request</h1>");
  });
});
