import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { custodyEvent } from "../../events/schema";
import { isRecord } from "./fields";
import { type GithubMapping, mapGithubDelivery } from "./index";
import { eventsOf, exampleOf, examplesOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000007";
const mappedTypes = [
  "push",
  "pull_request",
  "pull_request_review",
  "workflow_run",
  "workflow_job",
  "check_run",
  "deployment",
  "deployment_status",
  "package",
  "registry_package",
] as const;
const examples = mappedTypes.flatMap((name) => examplesOf(name).map((example) => ({ name, ...example })));

/** What the caller relies on: valid events with unique ids, or a VALIDATION AppError. */
function expectContract(eventName: string, deliveryId: string, payload: unknown): GithubMapping | AppError {
  let mapping: GithubMapping;
  try {
    mapping = mapGithubDelivery(eventName, deliveryId, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe("VALIDATION");
    // The safety net's message means a mapper crashed: a bug even though the caller survives it.
    expect(appError.message).not.toMatch(/^payload could not be mapped/);
    return appError;
  }
  if (mapping.status === "used") {
    expect(mapping.events.length).toBeGreaterThan(0);
    for (const event of mapping.events) expect(custodyEvent.safeParse(event).success).toBe(true);
    expect(new Set(mapping.events.map((e) => e.id)).size).toBe(mapping.events.length);
  } else {
    expect(mapping.reason.length).toBeGreaterThan(0);
  }
  return mapping;
}

describe("mapGithubDelivery over GitHub's example deliveries", () => {
  it("has examples for every event type it maps except registry_package, which GitHub ships none of", () => {
    for (const name of mappedTypes) expect(examplesOf(name).length > 0, name).toBe(name !== "registry_package");
  });

  it.each(examples.map((e) => [e.label, e] as const))("%s maps without throwing to valid events only", (_label, example) => {
    const mapping = mapGithubDelivery(example.name, delivery, example.payload);
    for (const event of mapping.status === "used" ? mapping.events : []) {
      expect(custodyEvent.safeParse(event).error).toBeUndefined();
      expect(event.id).toMatch(new RegExp(`^github:${delivery}:\\d+$`));
    }
  });

  it("maps the same delivery to the same events every time", () => {
    for (const example of examples) {
      expect(mapGithubDelivery(example.name, delivery, example.payload)).toEqual(mapGithubDelivery(example.name, delivery, example.payload));
    }
  });
});

describe("deliveries with nothing to project", () => {
  it("uses nothing from a ping", () => {
    for (const { payload } of examplesOf("ping")) expect(mapGithubDelivery("ping", delivery, payload)).toEqual({ status: "not-used", reason: "ping" });
  });

  it("uses nothing from an event type it does not map, naming the type", () => {
    const [issue] = examplesOf("issues");
    expect(mapGithubDelivery("issues", delivery, issue?.payload)).toEqual({ status: "not-used", reason: "event type issues is not used" });
    expect(mapGithubDelivery("constructor", delivery, {})).toEqual({ status: "not-used", reason: "event type constructor is not used" });
  });
});

describe("payloads it cannot read", () => {
  it.each(mappedTypes)("%s: a payload that is not an object is a VALIDATION error", (name) => {
    for (const garbage of [null, undefined, [], [{}], "push", 42, true]) {
      expect(() => mapGithubDelivery(name, delivery, garbage)).toThrow(new AppError("VALIDATION", "payload: must be a JSON object"));
    }
  });

  it.each(mappedTypes)("%s: an empty object is a VALIDATION error naming a field", (name) => {
    expect(() => mapGithubDelivery(name, delivery, {})).toThrow(/^[a-z_]+(\.[a-z_]+)*: required$/);
  });

  it.each(mappedTypes.filter((n) => n !== "package" && n !== "registry_package" && examplesOf(n).length > 0))(
    "%s: a delivery without its repository is rejected naming repository",
    (name) => {
      const { repository, ...rest } = exampleOf(name);
      expect(repository).toBeDefined();
      expect(() => mapGithubDelivery(name, delivery, rest)).toThrow(new AppError("VALIDATION", "repository: required"));
    },
  );

  it("a field of the wrong type is named with its path", () => {
    const payload = exampleOf("workflow_run");
    expect(() => mapGithubDelivery("workflow_run", delivery, { ...payload, workflow_run: { ...payload.workflow_run, id: "1" } })).toThrow(
      new AppError("VALIDATION", "workflow_run.id: must be an integer"),
    );
  });

  it("a missing delivery id is a VALIDATION error", () => {
    expect(() => mapGithubDelivery("push", "", exampleOf("push"))).toThrow(/^deliveryId: /);
  });

  it("falls back to the receipt time when the payload has no usable time, and rejects without one", () => {
    const payload = exampleOf("check_run", (p) => p.check_run.status === "queued");
    const check = { ...payload.check_run, started_at: "0001-01-01T00:00:00Z", completed_at: null };
    expect(() => mapGithubDelivery("check_run", delivery, { ...payload, check_run: check })).toThrow(
      new AppError("VALIDATION", "check_run.completed_at: required (no usable timestamp in the payload)"),
    );
    const receivedAt = "2026-11-27T23:00:00.000Z";
    const events = eventsOf(mapGithubDelivery("check_run", delivery, { ...payload, check_run: check }, { receivedAt }));
    expect(events[0]?.occurredAt).toBe(receivedAt);
  });
});

/** Replaces (or deletes, for `undefined`) the value found by walking `steps` into a copy of `payload`. */
function mutate(payload: unknown, steps: number[], replacement: unknown): unknown {
  const copy: unknown = structuredClone(payload);
  let node: unknown = copy;
  for (const [i, step] of steps.entries()) {
    if (typeof node !== "object" || node === null) break;
    const target = node as Record<string, unknown>;
    const keys = Object.keys(target);
    const key = keys[step % Math.max(keys.length, 1)];
    if (key === undefined) break;
    const child = target[key];
    if (i === steps.length - 1 || typeof child !== "object" || child === null) {
      if (replacement === undefined && !Array.isArray(target)) Reflect.deleteProperty(target, key);
      else target[key] = replacement;
      break;
    }
    node = child;
  }
  return copy;
}

describe("never throws anything but a VALIDATION AppError", () => {
  const eventName = fc.oneof(fc.constantFrom(...mappedTypes, "ping"), fc.string());

  it("for any JSON at all", () => {
    fc.assert(
      fc.property(eventName, fc.string(), fc.jsonValue(), (name, deliveryId, payload) => {
        expectContract(name, deliveryId, payload);
      }),
      { numRuns: 500 },
    );
  });

  it("for GitHub's examples with one value replaced or removed anywhere", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: examples.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.oneof(fc.jsonValue(), fc.constant(undefined)),
        (index, steps, replacement) => {
          const example = examples[index];
          if (example === undefined) return;
          const payload = mutate(example.payload, steps, replacement);
          expect(isRecord(payload)).toBe(true);
          expectContract(example.name, delivery, payload);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
