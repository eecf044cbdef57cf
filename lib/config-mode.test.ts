import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

const server = {
  CUSTODY_MODE: "server",
  DATABASE_URL: "postgres://custody@db:5432/custody",
  CUSTODY_SESSION_SECRET: "0123456789abcdef0123",
  GITHUB_WEBHOOK_SECRET: "fedcba9876543210fedc",
};

describe("CUSTODY_MODE=server (the deployed form)", () => {
  it("starts with a database URL and both secrets", () => {
    expect(loadConfig(server)).toMatchObject({ mode: "server", databaseUrl: server.DATABASE_URL });
  });

  it.each(["DATABASE_URL", "CUSTODY_SESSION_SECRET", "GITHUB_WEBHOOK_SECRET"])("refuses to start without %s, naming it", (name) => {
    const env = { ...server, [name]: "" };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(`invalid configuration: ${name} is required when CUSTODY_MODE=server`);
  });

  it("keeps the trial's embedded database when the mode is not set", () => {
    expect(loadConfig({})).toMatchObject({ mode: "trial", databaseUrl: undefined, metricsPublic: false });
  });

  it("rejects an unknown mode and reads the metrics flag", () => {
    expect(() => loadConfig({ CUSTODY_MODE: "prod" })).toThrow("invalid configuration: CUSTODY_MODE must be trial or server");
    expect(loadConfig({ CUSTODY_METRICS_PUBLIC: "true" }).metricsPublic).toBe(true);
    expect(() => loadConfig({ CUSTODY_METRICS_PUBLIC: "yes" })).toThrow("CUSTODY_METRICS_PUBLIC must be true or false");
  });
});

describe("where evaluation runs and where dashboards read", () => {
  it("judges inline by default; external needs Postgres; an unknown value is refused by name", () => {
    expect(loadConfig(server).evaluator).toBe("inline");
    expect(loadConfig({ ...server, CUSTODY_EVALUATOR: "external" }).evaluator).toBe("external");
    expect(() => loadConfig({ CUSTODY_EVALUATOR: "external" })).toThrow("CUSTODY_EVALUATOR=external needs DATABASE_URL");
    expect(() => loadConfig({ ...server, CUSTODY_EVALUATOR: "thread" })).toThrow("CUSTODY_EVALUATOR must be inline or external");
  });

  it("reads dashboards from DATABASE_READ_URL when set, and refuses one that is not a Postgres URL", () => {
    expect(loadConfig(server).readDatabaseUrl).toBeUndefined();
    expect(loadConfig({ ...server, DATABASE_READ_URL: "postgres://reader@replica:5432/custody" }).readDatabaseUrl).toBe("postgres://reader@replica:5432/custody");
    expect(() => loadConfig({ ...server, DATABASE_READ_URL: "mysql://replica/custody" })).toThrow("DATABASE_READ_URL");
  });
});
