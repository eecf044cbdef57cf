import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { clusterAuditEvent } from "@/lib/events/schema";
import { parseAuditLog } from "./parse-audit-log";

const auditLog = readFileSync(new URL("./fixtures/audit.log", import.meta.url), "utf8");
const opts = { environment: "production" };

const line = (event: Record<string, unknown>) =>
  JSON.stringify({
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Metadata",
    auditID: "0b7f3c2e-6a41-4d8e-9f05-2c7d1e8a4b90",
    requestURI: "/api/v1/namespaces/shop/pods/postgres-0/exec?command=psql",
    verb: "create",
    user: { username: "erin@acme.com", groups: ["sre", "system:authenticated"] },
    userAgent: "kubectl/v1.29.6 (linux/amd64) kubernetes/062798d",
    objectRef: { resource: "pods", namespace: "shop", name: "postgres-0", apiVersion: "v1", subresource: "exec" },
    responseStatus: { metadata: {}, code: 101 },
    requestReceivedTimestamp: "2024-06-16T08:00:00.000000Z",
    stageTimestamp: "2024-06-16T08:05:00.000000Z",
    ...event,
  });

function validationError(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) {
      expect(error.code).toBe("VALIDATION");
      return error;
    }
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("parseAuditLog", () => {
  it("keeps exactly the people's exec, attach, port-forward, debug and kubectl changes, once per request", () => {
    const events = parseAuditLog(auditLog, opts);
    expect(events.map((e) => [e.username, e.verb, e.resource, e.subresource, e.namespace, e.name])).toEqual([
      ["alice@acme.com", "get", "pods", "exec", "shop", "checkout-7d9f8b6c5-x2x9k"],
      ["bob@acme.com", "create", "pods", "exec", "shop", "orders-api-5b8c9d7f6d-m4kzt"],
      ["bob@acme.com", "patch", "configmaps", undefined, "shop", "checkout-config"],
      ["alice@acme.com", "patch", "deployments", undefined, "shop", "orders-api"],
      ["carol@acme.com", "patch", "pods", "ephemeralcontainers", "shop", "checkout-7d9f8b6c5-x2x9k"],
      ["carol@acme.com", "get", "pods", "attach", "shop", "checkout-7d9f8b6c5-x2x9k"],
      ["alice@acme.com", "create", "pods", "portforward", "shop", "postgres-0"],
    ]);
  });

  it("skips service accounts, system users, reads and refused requests", () => {
    const events = parseAuditLog(auditLog, opts);
    expect(events.some((e) => e.username.startsWith("system:"))).toBe(false);
    expect(events.some((e) => e.resource === "secrets")).toBe(false);
    expect(events.some((e) => e.username === "dave@acme.com")).toBe(false);
  });

  it("maps each kept request to a valid k8s_audit event keyed by its auditID", () => {
    const events = parseAuditLog(auditLog, opts);
    for (const event of events) expect(clusterAuditEvent.safeParse(event).success).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[0]).toEqual({
      id: "k8s-audit:1b3810d5-9a9f-42ac-86be-15fdc8a875bd",
      type: "k8s_audit",
      environment: "production",
      auditId: "1b3810d5-9a9f-42ac-86be-15fdc8a875bd",
      verb: "get",
      username: "alice@acme.com",
      resource: "pods",
      subresource: "exec",
      namespace: "shop",
      name: "checkout-7d9f8b6c5-x2x9k",
      userAgent: "kubectl/v1.30.2 (linux/amd64) kubernetes/39683505",
      // When the shell was opened, not when it closed (stageTimestamp 21:46:55).
      occurredAt: "2024-06-15T21:40:02.118204Z",
    });
  });

  it("keeps events logged without a stage, and a repeated auditID once", () => {
    const text = [line({}), line({}), ""].join("\r\n");
    expect(parseAuditLog(text, opts).map((e) => e.id)).toEqual(["k8s-audit:0b7f3c2e-6a41-4d8e-9f05-2c7d1e8a4b90"]);
  });

  it("counts a workload change as manual only when kubectl made it", () => {
    const change = { verb: "patch", objectRef: { resource: "statefulsets", namespace: "shop", name: "postgres", apiGroup: "apps", apiVersion: "v1" } };
    expect(parseAuditLog(line(change), opts)).toHaveLength(1);
    expect(parseAuditLog(line({ ...change, userAgent: "kubectl.exe/v1.30.2 (windows/amd64) kubernetes/39683505" }), opts)).toHaveLength(1);
    expect(parseAuditLog(line({ ...change, userAgent: "Go-http-client/2.0" }), opts)).toEqual([]);
  });

  it("returns nothing for an empty log", () => {
    expect(parseAuditLog("", opts)).toEqual([]);
    expect(parseAuditLog("\n\n", opts)).toEqual([]);
  });

  it("names the 1-based line of a line that is not JSON", () => {
    const lines = auditLog.split("\n");
    lines.splice(6, 0, '{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metad');
    expect(validationError(() => parseAuditLog(lines.join("\n"), opts)).message).toBe("audit log line 7: not JSON");
  });

  it.each([
    ["auditID", { auditID: undefined }],
    ["verb", { verb: undefined }],
    ["user.username", { user: { groups: ["sre"] } }],
  ])("names the line of an event without %s", (field, patch) => {
    const text = ["", line({}), line(patch)].join("\n");
    expect(validationError(() => parseAuditLog(text, opts)).message).toBe(`audit log line 3: not an audit event (${field} missing)`);
  });

  it("rejects a JSON line that is not an object, and an invalid environment", () => {
    expect(validationError(() => parseAuditLog("[]", opts)).message).toBe("audit log line 1: not an audit event (expected a JSON object)");
    expect(validationError(() => parseAuditLog(auditLog, { environment: "Prod" })).message).toMatch(/^environment: /);
  });
});
