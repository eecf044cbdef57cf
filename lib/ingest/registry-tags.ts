import { createHash } from "node:crypto";
import { describeIssues, validation } from "../errors";
import { registryTagsEvent, type EventOf } from "../events/schema";

// The OCI distribution spec's tag grammar.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * A registry's tag list for one repository, as any of these prints it:
 * `GET /v2/<name>/tags/list` (OCI distribution API: `{ "name", "tags": [...] }`),
 * `skopeo list-tags docker://REPO` (`{ "Repository", "Tags": [...] }`) or `crane ls REPO` (one tag a line);
 * and two listings that show the untagged images too, with when each was pushed:
 * GitHub Packages' versions (`gh api --paginate /orgs/ORG/packages/container/NAME/versions`: an array
 * of `{ name: <digest>, created_at, metadata.container.tags }`, pages concatenated) and
 * `aws ecr describe-images --repository-name NAME` (`{ imageDetails: [{ imageDigest, imageTags?, imagePushedAt }] }`).
 * `repository` (e.g. ghcr.io/acme/checkout) is required unless skopeo's output names it.
 */
export function parseRegistryTags(text: string, opts: { repository?: string; observedAt: string }): EventOf<"registry_tags"> {
  const trimmed = text.trim();
  let tags: unknown;
  let named: string | undefined;
  let untagged: { digest: string; pushedAt: string | null }[] | undefined;
  const images = trimmed.startsWith("[") || /^\{\s*"imageDetails"/.test(trimmed) ? imageListing(trimmed) : null;
  if (images) {
    tags = images.tags;
    untagged = images.untagged;
  } else if (trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw validation("not JSON: expected the output of GET /v2/<name>/tags/list, skopeo list-tags or crane ls");
    }
    const o = json as Record<string, unknown>;
    if (Array.isArray(o.tags) || o.tags === null) tags = o.tags ?? [];
    else if (Array.isArray(o.Tags) || o.Tags === null) {
      tags = o.Tags ?? [];
      named = typeof o.Repository === "string" ? o.Repository.replace(/^docker:\/\//, "") : undefined;
    } else throw validation("expected a tags list: { \"tags\": [...] } (OCI tags/list) or { \"Tags\": [...] } (skopeo list-tags)");
  } else {
    tags = trimmed === "" ? [] : trimmed.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  }
  const repository = opts.repository ?? named;
  if (!repository) throw validation("--repository is required (e.g. ghcr.io/acme/checkout): this output does not name it");
  const list = (tags as unknown[]).map((t, i) => {
    if (typeof t !== "string" || !TAG.test(t)) throw validation(`tags[${i}]: not an OCI tag`);
    return t;
  });
  const digest = createHash("sha256")
    .update(`${repository}\n${[...list].sort().join("\n")}${untagged ? `\n${untagged.map((u) => u.digest).sort().join("\n")}` : ""}`)
    .digest("hex")
    .slice(0, 16);
  const parsed = registryTagsEvent.safeParse({ id: `registry-tags:${repository}:${opts.observedAt}:${digest}`, type: "registry_tags", occurredAt: opts.observedAt, repository, tags: list, ...(untagged ? { untagged } : {}) });
  if (!parsed.success) throw validation(`registry tags: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
  return parsed.data;
}

/** Every image of a repository, tagged or not: GitHub Packages versions or ECR's describe-images. */
function imageListing(text: string): { tags: string[]; untagged: { digest: string; pushedAt: string | null }[] } {
  let json: unknown;
  try {
    // gh api --paginate prints one JSON array per page, back to back.
    json = JSON.parse(text.startsWith("[") ? `[${text.replace(/\]\s*\[/g, ",").slice(1)}` : text);
  } catch {
    throw validation("not JSON: expected gh api .../packages/container/NAME/versions or aws ecr describe-images output");
  }
  const github = Array.isArray(json);
  const items = (github ? json : (json as { imageDetails?: unknown }).imageDetails) as unknown;
  if (!Array.isArray(items)) throw validation("expected GitHub Packages versions (an array) or { \"imageDetails\": [...] } (aws ecr describe-images)");
  const tags: string[] = [];
  const untagged: { digest: string; pushedAt: string | null }[] = [];
  items.forEach((item, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const digest = github ? o.name : o.imageDigest;
    if (typeof digest !== "string" || !/^sha256:[a-f0-9]{64}$/.test(digest)) throw validation(`${github ? "" : "imageDetails"}[${i}]: no image digest (${github ? "name" : "imageDigest"})`);
    const its = github ? (o.metadata as { container?: { tags?: unknown } } | undefined)?.container?.tags : o.imageTags;
    const pushed = github ? o.created_at : o.imagePushedAt;
    if (its !== undefined && !(Array.isArray(its) && its.every((t) => typeof t === "string"))) throw validation(`[${i}]: tags must be a list of strings`);
    const list = (its ?? []) as string[];
    if (list.length > 0) tags.push(...list);
    else untagged.push({ digest, pushedAt: pushedAt(pushed, i) });
  });
  return { tags, untagged };
}

/** An ISO time (GitHub, AWS CLI v2) or epoch seconds (AWS CLI v1). */
function pushedAt(v: unknown, i: number): string | null {
  if (v === undefined || v === null) return null;
  const at = typeof v === "number" ? new Date(v * 1000) : typeof v === "string" ? new Date(v) : null;
  if (at === null || Number.isNaN(at.getTime())) throw validation(`[${i}]: the push time is not a time`);
  return at.toISOString();
}
