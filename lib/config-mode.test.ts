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
