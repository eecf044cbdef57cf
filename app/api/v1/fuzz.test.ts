import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleOf } from "@/lib/ingest/github/test-examples";
import { verifyLedger } from "@/lib/ledger/ledger";
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

/** Replaces one value anywhere in a JSON tree: the kind of damage a broken producer does. */
const mutated = (base: unknown) =>
  fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, replacement]) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    const paths: Array<[Record<string, unknown>, string]> = [];
    const walk = (node: unknown) => {
      if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
          paths.push([node as Record<string, unknown>, k]);
          walk(v);
        }
      }
    };
    walk(copy);
    const target = paths[pick % Math.max(1, paths.length)];
    if (target) target[0][target[1]] = replacement;
    return copy;
  });

const bodies = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  mutated(validEvent).map((v) => JSON.stringify(v)),
  fc.array(mutated(validEvent), { maxLength: 5 }).map((events) => JSON.stringify({ events })),
);

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

  it("leaves a ledger that verifies", async () => {
    const v = await verifyLedger(t.handle.db);
    expect(v.ok).toBe(true);
    expect(v.events).toBeGreaterThan(0);
  });
});
