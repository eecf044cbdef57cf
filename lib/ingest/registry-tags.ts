import { createHash } from "node:crypto";
import { describeIssues, validation } from "../errors";
import { registryTagsEvent, type EventOf } from "../events/schema";

// The OCI distribution spec's tag grammar.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * A registry's tag list for one repository, as any of three tools prints it:
 * `GET /v2/<name>/tags/list` (OCI distribution API: `{ "name", "tags": [...] }`),
 * `skopeo list-tags docker://REPO` (`{ "Repository", "Tags": [...] }`) or `crane ls REPO` (one tag a line).
 * `repository` (e.g. ghcr.io/acme/checkout) is required unless skopeo's output names it.
 */
export function parseRegistryTags(text: string, opts: { repository?: string; observedAt: string }): EventOf<"registry_tags"> {
  const trimmed = text.trim();
  let tags: unknown;
  let named: string | undefined;
  if (trimmed.startsWith("{")) {
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
  const digest = createHash("sha256").update(`${repository}\n${[...list].sort().join("\n")}`).digest("hex").slice(0, 16);
  const parsed = registryTagsEvent.safeParse({ id: `registry-tags:${repository}:${opts.observedAt}:${digest}`, type: "registry_tags", occurredAt: opts.observedAt, repository, tags: list });
  if (!parsed.success) throw validation(`registry tags: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
  return parsed.data;
}
