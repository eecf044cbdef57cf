/** A container image reference split into its parts: `ghcr.io/acme/api:4f2a9c1@sha256:...`. */
export interface ImageRef {
  repository: string;
  tag: string | null;
  digest: string | null;
}

const digestPattern = /^sha(?:256|384|512):[a-f0-9]{64,128}$/;
/**
 * A tag counts as immutable only when it is a commit SHA: 7-40 lowercase hex, optionally with the
 * `sha-` prefix docker/metadata-action writes. Semver and branch-like tags can be re-pointed.
 */
const shaTagPattern = /^(?:sha-)?([a-f0-9]{7,40})$/;
const hexSha = /^[a-f0-9]{7,64}$/;

export function parseImageRef(ref: string): ImageRef {
  const at = ref.indexOf("@");
  const name = at === -1 ? ref : ref.slice(0, at);
  const digest = at === -1 ? null : ref.slice(at + 1);
  // A colon before the last slash belongs to a registry port (localhost:5000/app), not to a tag.
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  return colon === -1
    ? { repository: name, tag: null, digest }
    : { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest };
}

export function isDigest(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && digestPattern.test(value);
}

/** The commit SHA a tag names, or null when the tag is not a commit SHA. */
export function commitShaOfTag(tag: string): string | null {
  return shaTagPattern.exec(tag)?.[1] ?? null;
}

/** True when both are hex SHAs and one is a prefix (short form) of the other. */
export function sameCommit(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (!hexSha.test(x) || !hexSha.test(y)) return false;
  return x.length <= y.length ? y.startsWith(x) : x.startsWith(y);
}
