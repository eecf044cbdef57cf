import { describe, expect, it } from "vitest";
import { custodyEvent } from "@/lib/events/schema";
import { DEMO_DEFAULT_END, DEMO_SERVICES, demoUsers, generateDemoEvents } from "./index";

const events = generateDemoEvents();

describe("generateDemoEvents", () => {
  it("is deterministic: same options give byte-identical JSON, another seed differs", () => {
    expect(JSON.stringify(generateDemoEvents())).toBe(JSON.stringify(events));
    expect(JSON.stringify(generateDemoEvents({ seed: 1 }))).toBe(JSON.stringify(generateDemoEvents({ seed: 1 })));
    const other = generateDemoEvents({ seed: 2 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(events));
    const ids = new Set(events.map((e) => e.id));
    expect(other.some((e) => ids.has(e.id))).toBe(false);
  });

  it("produces only events that pass the schema, unchanged by parsing", () => {
    for (const e of events) {
      const parsed = custodyEvent.safeParse(e);
      expect(parsed.success ? null : { id: e.id, issues: parsed.error.issues }).toBeNull();
      if (parsed.success) expect(parsed.data).toEqual(e);
    }
  });

  it("gives every event a unique id, sorted by occurredAt, within the period", () => {
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const times = events.map((e) => Date.parse(e.occurredAt));
    expect(times.every((t, i) => i === 0 || (times[i - 1] ?? t) <= t)).toBe(true);
    const end = Date.parse(DEMO_DEFAULT_END);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(end - 90 * 24 * 3600 * 1000);
    expect(Math.max(...times)).toBe(end);
  });

  it("has the described volumes", () => {
    const count = (type: string) => events.filter((e) => e.type === type).length;
    const production = events.filter((e) => e.type === "deployment" && e.environment === "production");
    expect(production.length).toBeGreaterThanOrEqual(200);
    expect(production.length).toBeLessThanOrEqual(300);
    expect(new Set(production.map((e) => (e.type === "deployment" ? e.service : ""))).size).toBe(DEMO_SERVICES.length);
    expect(count("deployment")).toBeGreaterThan(production.length * 2);
    expect(count("image_build")).toBeGreaterThanOrEqual(production.length);
    expect(count("snapshot")).toBeGreaterThanOrEqual(90);
    for (const type of ["commit", "pull_request", "review", "check_run", "pipeline_run", "attestation", "k8s_audit"]) {
      expect([type, count(type) > 0]).toEqual([type, true]);
    }
    const perDay = production.length / 90;
    expect(perDay).toBeGreaterThanOrEqual(1);
    expect(perDay).toBeLessThanOrEqual(4);
  });

  it("uses the organisation's names and formats", () => {
    const services = new Set(DEMO_SERVICES.map((s) => s.name));
    for (const e of events) {
      if (e.type === "image_build") {
        // billing lives in a GitLab subgroup and its images in GitLab's registry.
        expect(e.repository).toBe(e.service === "billing" ? "registry.gitlab.com/acme/platform/billing" : `ghcr.io/acme/${e.service}`);
        expect(e.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
      }
      if (e.type === "commit") expect(e.sha).toMatch(/^[a-f0-9]{40}$/);
      if (e.type === "deployment") expect(services.has(e.service)).toBe(true);
      if (e.type === "pipeline_run") expect(e.provider).toBe(e.repository === "acme/platform/billing" ? "gitlab-ci" : "github-actions");
    }
    const final = events.filter((e) => e.type === "snapshot" && e.occurredAt === DEMO_DEFAULT_END);
    expect(final.map((e) => (e.type === "snapshot" ? e.environment : "")).sort()).toEqual(["development", "production", "staging"]);
  });

  it("honours days and end, and rejects periods too short for the scenarios", () => {
    const end = new Date("2025-03-01T00:00:00Z");
    const short = generateDemoEvents({ days: 45, end });
    const times = short.map((e) => Date.parse(e.occurredAt));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(end.getTime() - 45 * 24 * 3600 * 1000);
    expect(Math.max(...times)).toBe(end.getTime());
    expect(() => generateDemoEvents({ days: 3 })).toThrow(RangeError);
    expect(() => generateDemoEvents({ end: new Date("nope") })).toThrow(RangeError);
  });
});

describe("demoUsers", () => {
  it("has one user per role with a demo email and a password", () => {
    expect(demoUsers.map((u) => u.role).sort()).toEqual(["admin", "auditor", "compliance", "engagement-auditor", "manager"]);
    for (const u of demoUsers) {
      expect(u.email).toMatch(/^[a-z]+@custody\.demo$/);
      expect(u.password.length).toBeGreaterThanOrEqual(12);
      expect(u.name.length).toBeGreaterThan(0);
    }
  });
});
