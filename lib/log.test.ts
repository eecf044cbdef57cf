import { beforeAll, describe, expect, it } from "vitest";
import { createLogger, REDACTED } from "./log";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { lines: { out, err }, sink: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

beforeAll(() => {
  process.env.CUSTODY_LOG_LEVEL = "info";
});

describe("structured logs", () => {
  it("writes one JSON line with level, time, msg, request id and fields", () => {
    const { lines, sink } = capture();
    createLogger({}, sink).info("request", { requestId: "r-1", method: "POST", path: "/api/v1/events", status: 202, durationMs: 12.5 });
    expect(lines.out).toHaveLength(1);
    const entry = JSON.parse(lines.out[0] ?? "") as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "info", msg: "request", requestId: "r-1", method: "POST", status: 202, durationMs: 12.5 });
    expect(new Date(String(entry.time)).toString()).not.toBe("Invalid Date");
  });

  it("never writes credentials, at any depth or inside a URL", () => {
    const { lines, sink } = capture();
    createLogger({}, sink).error("failed", {
      headers: { Authorization: "Bearer cust_abc123", Cookie: "session=xyz", "x-request-id": "r-2" },
      config: { sessionSecret: "s3cr3t-s3cr3t-s3cr3t", githubWebhookSecret: "whsec", password: "hunter2", apiToken: "t0k" },
      target: "postgres://custody:pa55word@db.internal:5432/custody",
    });
    const text = lines.err.join("\n");
    for (const secret of ["cust_abc123", "session=xyz", "s3cr3t", "whsec", "hunter2", "t0k", "pa55word"]) expect(text).not.toContain(secret);
    const entry = JSON.parse(lines.err[0] ?? "") as { headers: Record<string, string>; target: string };
    expect(entry.headers.Authorization).toBe(REDACTED);
    expect(entry.headers["x-request-id"]).toBe("r-2");
    expect(entry.target).toBe(`postgres://custody:${REDACTED}@db.internal:5432/custody`);
  });

  it("keeps the level and message a caller's fields cannot overwrite", () => {
    const { lines, sink } = capture();
    createLogger({ service: "custody" }, sink).child({ requestId: "r-3" }).warn("slow", { level: "debug", msg: "other" });
    expect(JSON.parse(lines.err[0] ?? "")).toMatchObject({ level: "warn", msg: "slow", service: "custody", requestId: "r-3" });
  });
});
