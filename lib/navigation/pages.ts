import type { Permission } from "../auth/permissions";

/** The request header the proxy sets to the page's path, so the 403 and 404 pages can name it. */
export const PAGE_PATH_HEADER = "x-custody-page-path";

/** Pages that need more than reading evidence; every other page needs `evidence:read`. */
const restricted: readonly [prefix: string, permission: Permission][] = [
  ["/incidents/new", "incidents:write"],
  ["/audit-log", "audit:read"],
  ["/reports", "reports:export"],
  ["/settings/users", "users:manage"],
  ["/settings/tokens", "tokens:manage"],
  ["/settings/notifications", "settings:manage"],
  ["/engagements", "engagements:read"],
];

/** The permission a page asks requireUser for, by its path. */
export function pagePermission(path: string): Permission {
  const hit = restricted.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
  return hit ? hit[1] : "evidence:read";
}

const things: readonly [RegExp, string][] = [
  [/^\/deployments\/([^/]+)$/, "Deployment"],
  [/^\/findings\/([^/]+)$/, "Finding"],
  [/^\/incidents\/([^/]+)$/, "Incident"],
  [/^\/environments\/([^/]+)$/, "Environment"],
];

/** What a 404 at this path was looking for ("Deployment 999999"), or null for an unknown address. */
export function missingThing(path: string): string | null {
  for (const [re, label] of things) {
    const m = re.exec(path);
    if (m?.[1]) {
      let id = m[1];
      try {
        id = decodeURIComponent(id);
      } catch {
        /* keep it encoded */
      }
      return `${label} ${id.slice(0, 100)}`;
    }
  }
  return null;
}
