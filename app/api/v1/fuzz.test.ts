import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleOf } from "@/lib/ingest/github/test-examples";
import { verifyLedger } from "@/lib/ledger/ledger";
import { mutated } from "@/lib/testing/fuzz";
import { noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST as postEvents } from "./events/route";
import { POST as postWebhook } from "./webhooks/github/route";

const SECRET = "fuzzing-secret-0123456789";
let t: RouteHarness;
beforeAll(async () => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

const validEvent = {
  id: "fuzz-base",
  type: "deployment",
  occurredAt: "2026-11-01T10:00:00Z",
  service: "checkout",
  environment: "production",
  imageRef: "ghcr.io/acme/checkout@sha256:1d5c7f0e3a9b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d",
};


const bodies = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  mutated(validEvent).map((v) => JSON.stringify(v)),
  fc.array(mutated(validEvent), { maxLength: 5 }).map((events) => JSON.stringify({ events })),
);

/**
 * JSON text a hostile producer sends, which fc.jsonValue() never makes: NUL and lone surrogates in
 * strings (Postgres refuses them), deep nesting, numbers past every range, duplicate keys and
 * 10,000-element arrays, placed at any point of a valid body.
 */
const hostileValue = fc.oneof(
  fc.constantFrom('"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"x\\udfff"', '"\\udc00\\ud800"'),
  fc.constantFrom("1e400", "-1e400", "1e-400", "123456789012345678901234567890", "9007199254740993", "-0", "2147483648"),
  fc.integer({ min: 1, max: 3000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
  fc.integer({ min: 1, max: 200 }).map((n) => `${'{"a":'.repeat(n)}"\\u0000"${"}".repeat(n)}`),
  fc.constantFrom(`[${Array.from({ length: 10_000 }, (_, i) => i).join(",")}]`, `[${Array.from({ length: 10_000 }, () => '"x"').join(",")}]`),
);
const hostile = (base: unknown) =>
  fc.tuple(fc.nat(), hostileValue, fc.boolean()).map(([pick, raw, duplicateKey]) => {
    const paths: string[][] = [];
    const walk = (node: unknown, at: string[]) => {
      if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
          paths.push([...at, k]);
          walk(v, [...at, k]);
        }
      }
    };
    walk(base, []);
    const target = paths[pick % Math.max(1, paths.length)] ?? ["extra"];
    const copy = structuredClone(base) as Record<string, unknown>;
    let node: Record<string, unknown> = copy;
    for (const k of target.slice(0, -1)) node = node[k] as Record<string, unknown>;
    const key = target[target.length - 1] ?? "extra";
    if (duplicateKey) {
      // The same key twice in one object: the second wins in JSON.parse, the first in some parsers.
      const original = JSON.stringify(node[key] ?? null);
      node[key] = "__HOSTILE__";
      return JSON.stringify(copy).replace('"__HOSTILE__"', `${original},${JSON.stringify(key)}:${raw}`);
    }
    node[key] = "__HOSTILE__";
    return JSON.stringify(copy).replace('"__HOSTILE__"', raw);
  });

describe("fuzzing the ingestion endpoints", () => {
  it("POST /api/v1/events never answers 5xx", async () => {
    let i = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const withId = body.replace('"fuzz-base"', `"fuzz-${i++}"`);
        const res = await postEvents(
          new Request("http://localhost/api/v1/events", {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${t.tokens.ingest}` },
            body: withId,
          }),
          noContext,
        );
        expect(res.status).toBeLessThan(500);
        const json = (await res.json()) as Record<string, unknown>;
        expect(res.status === 202 ? "accepted" in json : "error" in json).toBe(true);
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });

  it("POST /api/v1/webhooks/github never answers 5xx, signed or not", async () => {
    const examples = [exampleOf("pull_request"), exampleOf("workflow_run"), exampleOf("deployment_status"), exampleOf("push")];
    let i = 0;
    const eventNames = fc.constantFrom("pull_request", "workflow_run", "deployment_status", "push", "package", "star", "", "PULL REQUEST");
    const payloads = fc.oneof(fc.string(), ...examples.map((e) => mutated(e).map((v) => JSON.stringify(v))));
    await fc.assert(
      fc.asyncProperty(eventNames, payloads, fc.boolean(), async (event, body, signed) => {
        const signature = signed ? `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` : "sha256=0000";
        const res = await postWebhook(
          new Request("http://localhost/api/v1/webhooks/github", {
            method: "POST",
            headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": `fuzz-${i++}`, "x-hub-signature-256": signature },
            body,
          }),
          noContext,
        );
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });

  it("POST /api/v1/events never answers 5xx to hostile JSON", async () => {
    let i = 0;
    const bodies = fc.oneof(
      hostile(validEvent),
      fc.array(hostile(validEvent), { minLength: 1, maxLength: 3 }).map((events) => `{"events":[${events.join(",")}]}`),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await postEvents(
          new Request("http://localhost/api/v1/events", {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${t.tokens.ingest}` },
            body: body.replaceAll('"fuzz-base"', () => `"hostile-${i++}"`),
          }),
          noContext,
        );
        expect(res.status).toBeLessThan(500);
        const json = (await res.json()) as Record<string, unknown>;
        expect(res.status === 202 ? "accepted" in json : "error" in json).toBe(true);
      }),
      { numRuns: 200, seed: 20261202 },
    );
  });

  it("POST /api/v1/webhooks/github stores every signed hostile delivery (202), never a 5xx", async () => {
    const examples = [exampleOf("pull_request"), exampleOf("workflow_run"), exampleOf("deployment_status"), exampleOf("push")];
    let i = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...examples.keys()), fc.nat(), async (which, seed) => {
        const example = examples[which];
        const body = fc.sample(hostile(example), { numRuns: 1, seed })[0] ?? "{}";
        const event = ["pull_request", "workflow_run", "deployment_status", "push"][which] ?? "push";
        const res = await postWebhook(
          new Request("http://localhost/api/v1/webhooks/github", {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-github-event": event,
              "x-github-delivery": `hostile-${i++}`,
              "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
            },
            body,
          }),
          noContext,
        );
        expect(res.status).toBe(202);
      }),
      { numRuns: 200, seed: 20261202 },
    );
  });

  it("leaves a ledger that verifies", async () => {
    const v = await verifyLedger(t.handle.db);
    expect(v.ok).toBe(true);
    expect(v.events).toBeGreaterThan(0);
  });
});
