import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { deployments, environments, services } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { environmentsOverview as environmentsNow } from "./environments";

let handle: DatabaseHandle;
const t = (iso: string) => new Date(iso);
let n = 0;
const deploy = (service: string, environment: string, digest: string, at: string, status = "success") => ({
  externalId: `d-${(n += 1)}`,
  service,
  environment,
  imageRef: `ghcr.io/acme/${service}@${digest}`,
  digest,
  actor: "github-actions[bot]",
  status,
  deployedAt: t(at),
  sourceUpdatedAt: t(at),
});

beforeAll(async () => {
  handle = await createTestDatabase();
  // The migrations seed development (0), staging (1) and production (2).
  await handle.db.insert(environments).values({ name: "qa", rank: 1, isProduction: false });
  await handle.db.insert(services).values([{ name: "checkout" }, { name: "billing" }]);
  await handle.db.insert(deployments).values([
    deploy("checkout", "production", "sha256:c1", "2026-11-01T10:00:00Z"),
    deploy("checkout", "production", "sha256:c2", "2026-11-10T10:00:00Z"),
    // A later failed rollout does not change what runs.
    deploy("checkout", "production", "sha256:c3", "2026-11-12T10:00:00Z", "failed"),
    deploy("checkout", "staging", "sha256:c3", "2026-11-11T10:00:00Z"),
    // Two deployments at the same instant: the later record wins.
    deploy("billing", "production", "sha256:b1", "2026-11-05T10:00:00Z"),
    deploy("billing", "production", "sha256:b2", "2026-11-05T10:00:00Z"),
    // A service the catalogue does not list yet still shows as running.
    deploy("search", "staging", "sha256:s1", "2026-11-20T10:00:00Z"),
    // Only failures: nothing runs.
    deploy("ledger", "production", "sha256:l1", "2026-11-20T10:00:00Z", "failed"),
  ]);
});
afterAll(async () => handle?.close());

const running = (envs: Awaited<ReturnType<typeof environmentsNow>>, env: string) =>
  envs.find((e) => e.name === env)?.services.map((s) => [s.service, s.digest]);

describe("environments overview", () => {
  it("shows per environment the last successful deployment of each service, in rank order", async () => {
    const envs = await environmentsNow(handle.db, t("2026-11-27T00:00:00Z"));
    expect(envs.map((e) => e.name)).toEqual(["development", "qa", "staging", "production"]);
    expect(running(envs, "production")).toEqual([["billing", "sha256:b2"], ["checkout", "sha256:c2"]]);
    expect(running(envs, "staging")).toEqual([["checkout", "sha256:c3"], ["search", "sha256:s1"]]);
    expect(running(envs, "qa")).toEqual([]);
    expect(envs.find((e) => e.name === "production")?.lastDeploymentAt).toEqual(t("2026-11-10T10:00:00Z"));
  });

  it("answers as of a moment in the past", async () => {
    const envs = await environmentsNow(handle.db, t("2026-11-05T12:00:00Z"));
    expect(running(envs, "production")).toEqual([["billing", "sha256:b2"], ["checkout", "sha256:c1"]]);
    expect(running(envs, "staging")).toEqual([]);
  });

  it("agrees with a DISTINCT ON over every deployment (the plain statement of what runs)", async () => {
    for (const at of ["2026-10-01T00:00:00Z", "2026-11-05T10:00:00Z", "2026-11-12T10:00:00Z", "2026-11-27T00:00:00Z"]) {
      const plain = await queryRows<{ environment: string; service: string; id: number | string }>(
        handle.db,
        sql`select distinct on (d.environment, d.service) d.environment, d.service, d.id from deployments d
            where d.status = 'success' and d.deployed_at <= ${t(at)} order by d.environment, d.service, d.deployed_at desc, d.id desc`,
      );
      const fast = (await environmentsNow(handle.db, t(at))).flatMap((e) => e.services.map((s) => [e.name, s.service, s.deploymentId]));
      expect(fast.sort()).toEqual(plain.map((r) => [r.environment, r.service, Number(r.id)]).sort());
    }
  });
});
