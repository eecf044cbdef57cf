import type { Attestation } from "@/db/schema";

/** The item with the greatest time; ties keep the later item in the list. */
export function latest<T>(items: readonly T[], time: (item: T) => Date | null): T | null {
  let best: T | null = null;
  let bestTime = -Infinity;
  for (const item of items) {
    const t = time(item)?.getTime();
    if (t !== undefined && t >= bestTime) {
      best = item;
      bestTime = t;
    }
  }
  return best;
}

export function sortedBy<T>(items: readonly T[], time: (item: T) => Date): T[] {
  return [...items].sort((a, b) => time(a).getTime() - time(b).getTime());
}

/** Attestations observed at or before `at` (and not after `now`), oldest first. */
export function observedBy(attestations: readonly Attestation[], at: Date, now: Date): Attestation[] {
  const limit = Math.min(at.getTime(), now.getTime());
  return sortedBy(
    attestations.filter((a) => a.observedAt.getTime() <= limit),
    (a) => a.observedAt,
  );
}

export const passed = (a: Attestation): boolean => a.result.toLowerCase() === "pass";

export const hoursBetween = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / 3_600_000;
