import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { findings } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { AppError } from "../errors";
import type { CustodyEvent } from "../events/schema";
import { evaluationSettled } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";
import { parseRegistryTags } from "../ingest/registry-tags";

const dir = path.join(__dirname, "..", "ingest", "fixtures", "registry");
const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
const shas = JSON.parse(read("shas.json")) as string[];
const digestOf = (i: number) => `sha256:${i.toString(16).padStart(2, "0").repeat(32)}`;
const REPO = "ghcr.io/acme/checkout";

let h: DatabaseHandle;
const send = async (body: unknown) => {
  await ingestEvents(h.db, body, JSON.stringify(body));
  await evaluationSettled(h.db);
};
const gap = async () => h.db.select().from(findings).where(and(eq(findings.ruleId, "drift.rollback-gap"), eq(findings.subjectKey, "service/checkout")));

beforeAll(async () => {
  h = await createTestDatabase();
  const builds: CustodyEvent[] = shas.map((sha, i) => ({
    id: `b-${i}`, type: "image_build", occurredAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString(), repository: REPO, digest: digestOf(i + 1), tags: [sha],
    commitSha: sha, service: "checkout", builder: "github-actions", pipeline: { provider: "github-actions", runId: `r-${i}` },
  }));
  const last = shas.length;
  await send({ events: [...builds, { id: "d-1", type: "deployment", occurredAt: "2026-11-20T10:00:00Z", service: "checkout", environment: "production", imageRef: `${REPO}@${digestOf(last)}`, digest: digestOf(last), actorType: "pipeline", changeType: "normal", status: "success" }] });
  await send({
    id: "snap-r1", type: "snapshot", occurredAt: "2026-11-20T12:00:00Z", environment: "production", source: "kubernetes",
    workloads: [{ namespace: "shop", kind: "Deployment", name: "checkout", service: "checkout", containers: [{ name: "checkout", image: `${REPO}@${digestOf(last)}`, digest: digestOf(last) }], replicas: 2 }],
  });
}, 60_000);
afterAll(async () => h?.close());

describe("registry retention from the registry's own tag list", () => {
  it("reads OCI tags/list, skopeo list-tags and crane ls output", () => {
    const at = "2026-11-20T13:00:00Z";
    expect(parseRegistryTags(read("oci-tags-list.json"), { repository: REPO, observedAt: at }).tags).toHaveLength(13);
    expect(parseRegistryTags(read("skopeo-list-tags.json"), { observedAt: at })).toMatchObject({ repository: REPO, tags: expect.arrayContaining(["latest", shas[1]]) });
    expect(parseRegistryTags(read("crane-ls.txt"), { repository: REPO, observedAt: at }).tags).toEqual([...shas.slice(8), "latest"]);
    expect(() => parseRegistryTags(read("crane-ls.txt"), { observedAt: at })).toThrow(AppError);
    expect(() => parseRegistryTags('{"tags":["ok","bad tag"]}', { repository: REPO, observedAt: at })).toThrow(/tags\[1\]: not an OCI tag/);
  });

  it("counts the images the registry still holds, not the builds Custody once saw", async () => {
    // Twelve tagged builds were recorded: enough for the policy's ten.
    expect(await gap()).toEqual([]);
    await send(parseRegistryTags(read("crane-ls.txt"), { repository: REPO, observedAt: "2026-11-20T13:00:00Z" }));
    const [f] = await gap();
    expect(f).toMatchObject({ status: "open" });
    expect(f?.evidence).toMatchObject({ retainedImages: 4, requiredRetainedImages: 10 });
  });

  it("resolves once the registry holds enough again", async () => {
    await send(parseRegistryTags(read("skopeo-list-tags.json"), { observedAt: "2026-11-20T14:00:00Z" }));
    expect((await gap()).map((f) => f.status)).toEqual(["resolved"]);
  });
});

describe("drift.untagged-images-kept: the seed's \"prune untagged images weekly\"", () => {
  const kept = async () => h.db.select().from(findings).where(and(eq(findings.ruleId, "drift.untagged-images-kept"), eq(findings.subjectKey, `registry/${REPO}`)));

  it("reads the untagged images and their push times from GitHub Packages versions (paginated) and aws ecr describe-images", () => {
    const at = "2026-11-20T13:00:00Z";
    const github = parseRegistryTags(read("github-package-versions.json"), { repository: REPO, observedAt: at });
    const ecr = parseRegistryTags(read("ecr-describe-images.json"), { repository: REPO, observedAt: at });
    for (const listing of [github, ecr]) {
      expect(listing.tags).toEqual(expect.arrayContaining([...shas.slice(8), "latest"]));
      expect(listing.tags).toHaveLength(5);
      expect(listing.untagged?.map((u) => u.pushedAt).sort()).toEqual(["2026-10-29T09:14:02.000Z", "2026-11-06T16:40:55.000Z", "2026-11-18T11:02:37.000Z"]);
    }
    // Tag lists alone cannot tell: nothing is judged from them.
    expect(parseRegistryTags(read("crane-ls.txt"), { repository: REPO, observedAt: at }).untagged).toBeUndefined();
  });

  it("fails while the registry keeps untagged images older than a week, naming how many, and resolves after a prune", async () => {
    await send(parseRegistryTags(read("github-package-versions.json"), { repository: REPO, observedAt: "2026-11-20T15:00:00Z" }));
    const [f] = await kept();
    expect(f).toMatchObject({ status: "open", service: "checkout", environment: null, severity: "low" });
    expect(f?.summary).toBe(`${REPO} still holds 2 untagged images older than 7 days (the oldest pushed 2026-10-29): untagged images are not pruned weekly.`);
    expect(f?.evidence).toMatchObject({ untagged: 3, stale: 2, maxAgeDays: 7 });
    // A tag list without untagged images says nothing either way; an older listing arriving late changes nothing.
    await send(parseRegistryTags(read("crane-ls.txt"), { repository: REPO, observedAt: "2026-11-20T16:00:00Z" }));
    await send(parseRegistryTags('{"imageDetails": []}', { repository: REPO, observedAt: "2026-11-19T16:00:00Z" }));
    expect((await kept()).map((x) => x.status)).toEqual(["open"]);
    const pruned = JSON.parse(read("ecr-describe-images.json")) as { imageDetails: { imageTags?: string[]; imagePushedAt: string }[] };
    pruned.imageDetails = pruned.imageDetails.filter((d) => d.imageTags !== undefined || d.imagePushedAt >= "2026-11-14");
    await send(parseRegistryTags(JSON.stringify(pruned), { repository: REPO, observedAt: "2026-11-21T03:00:00Z" }));
    expect((await kept()).map((x) => [x.status, x.resolution])).toEqual([["resolved", expect.stringContaining("no untagged image older than 7 days")]]);
  });
});
