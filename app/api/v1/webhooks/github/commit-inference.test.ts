import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployments } from "@/db/schema";
import { evaluationSettled } from "@/lib/evaluation/queue";
import { chainsForDeployments } from "@/lib/evidence/chain";
import { traceRef } from "@/lib/evidence/trace";
import { exampleOf } from "@/lib/ingest/github/test-examples";
import { noContext, setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { POST } from "./route";

// A team on GitHub only: Actions builds and pushes to GitHub Packages, then creates a deployment
// naming the commit. GitHub's own example deliveries, with the deployment's sha set to the commit
// the container package's OCI revision label names.
const SECRET = "commit-inference-secret-2026";
let t: RouteHarness;
beforeAll(async () => {
  process.env.GITHUB_WEBHOOK_SECRET = SECRET;
  t = await setupRouteHarness();
});
afterAll(async () => t?.handle.close());

let n = 0;
async function deliver(event: string, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const headers = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": `c0ffee00-cc78-11e3-81ab-4c9367dc${String(n++).padStart(4, "0")}`,
    "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
  };
  const res = await POST(new Request("http://localhost/api/v1/webhooks/github", { method: "POST", headers, body }), noContext);
  expect(res.status).toBe(202);
  await evaluationSettled(t.handle.db);
}

const containerPackage = () => exampleOf("package", (p) => p.package.registry.type === "CONTAINER");
const revisionOf = (p: ReturnType<typeof containerPackage>) =>
  String((p.package.package_version?.container_metadata?.labels?.all_labels as Record<string, string> | undefined)?.["org.opencontainers.image.revision"]);

describe("a GitHub deployment that names a commit, not a digest", () => {
  it("links to the only image built from that commit, says so on the chain, and trace by that digest reaches it", async () => {
    const pkg = containerPackage();
    const revision = revisionOf(pkg);
    const digest = String(pkg.package.package_version?.version);
    const deployment = exampleOf("deployment", (p) => p.deployment.environment === "production");
    deployment.deployment.sha = revision;
    await deliver("deployment", deployment);
    const [before] = await t.handle.db.select().from(deployments).where(eq(deployments.externalId, `github:${deployment.deployment.id}`));
    expect(before).toMatchObject({ digest: null, commitSha: revision });

    // The image arrives after the deployment: the link is made then (order does not matter).
    await deliver("package", pkg);
    const [row] = await t.handle.db.select().from(deployments).where(eq(deployments.externalId, `github:${deployment.deployment.id}`));
    expect(row).toMatchObject({ digest, digestInferredFrom: revision, digestCandidates: null });
    const [chain] = await chainsForDeployments(t.handle.db, [row?.id ?? 0]);
    expect(chain?.deployment).toMatchObject({ digestLinkedBy: "commit" });
    expect(chain?.build).toMatchObject({ digest, commitSha: revision, linkedBy: "commit", note: expect.stringContaining("inferred by commit") });
    const trace = await traceRef(t.handle.db, digest);
    expect(trace.chains.map((c) => c.deployment.externalId)).toContain(`github:${deployment.deployment.id}`);
  });

  it("withdraws the link when a second image was built from the same commit, shows both, and fails deploy.commit-matches", async () => {
    const other = containerPackage();
    const revision = revisionOf(other);
    if (!other.package.package_version) throw new Error("example changed");
    const second = `sha256:${"5d".repeat(32)}`;
    other.package.package_version.version = second;
    other.package.package_version.name = second;
    other.package.name = "hello-world-worker";
    await deliver("package", other);
    const [row] = await t.handle.db.select().from(deployments).where(eq(deployments.commitSha, revision));
    expect(row).toMatchObject({ digest: null, digestInferredFrom: null });
    expect([...(row?.digestCandidates ?? [])].sort()).toEqual([String(containerPackage().package.package_version?.version), second].sort());
    const [chain] = await chainsForDeployments(t.handle.db, [row?.id ?? 0]);
    expect(chain?.build).toBeNull();
    const check = chain?.gates.find((g) => g.check === "deploy.commit-matches");
    expect(check).toMatchObject({ result: "fail", reason: expect.stringContaining("2 images were built from that commit") });
  });
});
