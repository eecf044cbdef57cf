import { Fields, isRecord } from "../github/fields";
import { isLinkUrl } from "../../http/link-url";
import { name, time } from "../github/values";

/** A GitLab payload object: its keys are not typed (GitLab publishes no types), its values are checked. */
export type Obj = Fields<Record<string, unknown>>;

export const obj = (value: unknown, path: string): Obj => Fields.of<Record<string, unknown>>(value, path);
export const maybeObj = (value: unknown, path: string): Obj | undefined => Fields.maybe<Record<string, unknown>>(value, path);

/**
 * GitLab writes times three ways in one page of its docs: `2013-12-03T17:23:34Z`,
 * `2016-08-12 15:23:28 UTC` and `2021-04-28 21:50:00 +0200`. Each becomes ISO 8601, else undefined.
 */
export function gitlabTime(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const direct = time(value);
  if (direct !== undefined) return direct;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)\s*(UTC|Z|[+-]\d{2}:?\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const zone = m[3] === "UTC" || m[3] === "Z" ? "Z" : `${m[3]?.slice(0, 3)}:${m[3]?.slice(-2)}`;
  return time(`${m[1]}T${m[2]}${zone}`);
}

/** `group/subgroup/project` of the project a delivery is about. */
export function projectPath(payload: Obj): string {
  const project = optChild(payload, "project");
  const path = project?.optStr("path_with_namespace");
  if (path !== undefined) return path;
  // Job events name the project only as `project_name` ("gitlab-org/gitlab-test") in older versions.
  const fallback = name(payload.value("project_name"));
  if (fallback !== undefined && fallback.includes("/")) return fallback.replace(/\s+/g, "");
  return child(payload, "project").str("path_with_namespace");
}

/** A user object's username (GitLab's login), else undefined. */
export function username(user: unknown): string | undefined {
  return isRecord(user) ? name(user.username) : undefined;
}

/** GitLab's numeric ids, kept as strings in evidence ids. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value === "string" && /^\d{1,20}$/.test(value)) return value;
  return undefined;
}

/** The last path segment of a project path: the service Custody files its deployments under. */
export const serviceOf = (path: string): string => path.slice(path.lastIndexOf("/") + 1);

/** The full SHA at the end of a GitLab commit URL (`.../-/commit/<sha>`). */
export function shaFromCommitUrl(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /\/commit\/([0-9a-f]{40}|[0-9a-f]{64})\/?$/i.exec(value);
  return m?.[1]?.toLowerCase();
}

/** A link kept only when https: GitLab's examples (and self-managed instances) often link over plain http. */
export function link(value: unknown): string | undefined {
  return typeof value === "string" && value.length <= 2000 && isLinkUrl(value, false) ? value : undefined;
}

const at = (o: Obj, key: string) => (o.path ? `${o.path}.${key}` : key);
/** A required nested object. */
export const child = (o: Obj, key: string): Obj => obj(o.value(key), at(o, key));
/** An optional nested object. */
export const optChild = (o: Obj, key: string): Obj | undefined => maybeObj(o.value(key), at(o, key));
/** A required array of objects. */
export const children = (o: Obj, key: string): Obj[] => o.arr(key).map((item, i) => obj(item, `${at(o, key)}[${i}]`));
