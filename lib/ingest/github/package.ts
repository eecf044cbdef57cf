import { type PackageEvent, type RegistryPackageEvent } from "@octokit/webhooks-types";
import { Fields, isRecord } from "./fields";
import { notUsed, type Projection, project } from "./types";
import { type Context, digest, fullSha, isBot, login, occurredAt, time } from "./values";

type PackageBody = PackageEvent["package"] | RegistryPackageEvent["registry_package"];
type PackageKey = "package" | "registry_package";

const isContainerType = (value: string | undefined) => value !== undefined && /^(container|docker)$/i.test(value);

/** Tags from `metadata` items shaped `{ container: { tags } }` (the REST API's shape) or `{ tags }`. */
function metadataTags(items: unknown[] | undefined): string[] {
  const tags: string[] = [];
  for (const item of items ?? []) {
    if (!isRecord(item)) continue;
    const holder = isRecord(item.container) ? item.container : item;
    if (Array.isArray(holder.tags)) tags.push(...holder.tags.filter((t): t is string => typeof t === "string"));
  }
  return tags;
}

/** `package` / `registry_package` -> `image_build` for container images pushed to ghcr.io. */
export function mapPackage(payload: Fields<PackageEvent | RegistryPackageEvent>, key: PackageKey, ctx: Context): Projection {
  const pkg = Fields.of<PackageBody>(payload.value(key), key);
  const packageType = pkg.str("package_type");
  // GitHub's own container example says package_type "npm" while its registry says CONTAINER.
  if (!isContainerType(packageType) && !isContainerType(pkg.optObj("registry")?.optStr("type"))) {
    return notUsed(`${key}.package_type: "${packageType.slice(0, 50)}" is not a container image`);
  }
  const owner = pkg.obj("owner").str("login");
  const packageName = pkg.str("name");
  const version = pkg.optObj("package_version");
  if (version === undefined) return notUsed(`${key}.package_version: missing, so there is no image version to record`);

  const meta = version.optObj("container_metadata");
  const candidates: Array<[string, unknown]> = [
    [`${version.path}.version`, version.value("version")],
    [`${version.path}.container_metadata.tag.digest`, meta?.optObj("tag")?.value("digest")],
    [`${version.path}.container_metadata.manifest.digest`, meta?.optObj("manifest")?.value("digest")],
    [`${version.path}.name`, version.value("name")],
  ];
  const imageDigest = candidates.map(([, v]) => digest(v)).find((d) => d !== undefined);
  const notes = candidates
    .filter(([, v]) => typeof v === "string" && v.startsWith("sha256:") && digest(v) === undefined)
    .map(([path, v]) => `${path}: "${String(v).slice(0, 80)}" is not an OCI digest (sha256: and 64 hex characters), ignored`);
  if (imageDigest === undefined) {
    return notUsed(notes.length > 0 ? notes.join("; ") : `${version.path}: no OCI digest in version, container_metadata or name`);
  }

  const tagName = meta?.optObj("tag")?.optStr("name");
  const tags = [...new Set([...(tagName ? [tagName] : []), ...metadataTags(version.optArr("metadata"))])]
    .filter((t) => t.length <= 128)
    .slice(0, 100);
  const labels = meta?.optObj("labels");
  const allLabels = Fields.maybe<Record<string, string>>(labels?.value("all_labels"), "all_labels");
  // target_commitish is usually a branch; the OCI revision label is where CI records the commit.
  const commitSha =
    fullSha(version.value("target_commitish")) ??
    fullSha(labels?.value("revision")) ??
    fullSha(allLabels?.value("org.opencontainers.image.revision"));
  const publisher = payload.optObj("sender") ?? version.optObj("author");

  return project([
    ...notes,
    {
      type: "image_build",
      occurredAt: occurredAt(
        ctx,
        `${version.path}.updated_at`,
        time(version.value("updated_at")),
        time(version.value("created_at")),
        time(pkg.value("updated_at")),
        time(pkg.value("created_at")),
      ),
      repository: `ghcr.io/${owner}/${packageName}`.toLowerCase(),
      digest: imageDigest,
      tags,
      commitSha,
      builder: isBot(publisher) ? "github-actions" : login(publisher),
    },
  ]);
}
