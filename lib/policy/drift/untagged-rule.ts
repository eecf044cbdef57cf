/** The latest listing of one repository that tells its untagged images apart. */
export interface RegistryListing {
  repository: string;
  observedAt: Date;
  untagged: { digest: string; pushedAt: string | null }[];
}

export interface UntaggedOutcome {
  ruleId: "drift.untagged-images-kept";
  result: "pass" | "fail";
  reason: string;
  /** Untagged images older than the policy allows, oldest first. */
  stale: { digest: string; pushedAt: string }[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The seed's "prune untagged images weekly": the listing may hold untagged images, but none pushed
 * more than `maxAgeDays` before it was taken (a weekly prune leaves at most a week's). An untagged
 * image whose push time the listing does not give is not judged. Pure.
 */
export function judgeUntagged(l: RegistryListing, maxAgeDays: number): UntaggedOutcome {
  const limit = l.observedAt.getTime() - maxAgeDays * DAY_MS;
  const stale = l.untagged
    .filter((u): u is { digest: string; pushedAt: string } => u.pushedAt !== null && Date.parse(u.pushedAt) < limit)
    .sort((a, b) => a.pushedAt.localeCompare(b.pushedAt));
  if (stale.length === 0) {
    return { ruleId: "drift.untagged-images-kept", result: "pass", reason: `${l.repository} holds no untagged image older than ${maxAgeDays} days.`, stale };
  }
  const oldest = stale[0]?.pushedAt.slice(0, 10);
  return {
    ruleId: "drift.untagged-images-kept",
    result: "fail",
    reason: `${l.repository} still holds ${stale.length} untagged image${stale.length === 1 ? "" : "s"} older than ${maxAgeDays} days (the oldest pushed ${oldest}): untagged images are not pruned weekly.`,
    stale,
  };
}
