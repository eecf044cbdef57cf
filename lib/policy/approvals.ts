import type { Review } from "@/db/schema";
import type { DeploymentEvidence } from "./evidence";
import { sortedBy } from "./timeline";

export const sameLogin = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The people who wrote or opened the change: the PR opener and the authors of its commits. The
 * merge commit itself is left out: with "create a merge commit" its author is whoever pressed
 * merge, often the reviewer, which would turn a proper approval into a false self-approval.
 */
export function authorsOf(e: Pick<DeploymentEvidence, "pullRequest" | "pullRequestCommits">): string[] {
  const people = [e.pullRequest?.author, ...e.pullRequestCommits.map((c) => c.authorLogin)];
  const unique: string[] = [];
  for (const p of people) {
    if (p && !unique.some((u) => sameLogin(u, p))) unique.push(p);
  }
  return unique;
}

export const isAuthor = (login: string, authors: readonly string[]): boolean => authors.some((a) => sameLogin(a, login));

/** A reviewer whose approval stands: `since` started the unbroken run of approvals, `last` ends it. */
export interface StandingApproval {
  reviewer: string;
  since: Review;
  last: Review;
}

/**
 * Approvals still in force. A reviewer's later "changes requested" or a dismissal withdraws their
 * approval; comments change nothing (as on GitHub). Ordered by when each approval began.
 */
export function standingApprovals(reviews: readonly Review[]): StandingApproval[] {
  const byReviewer = new Map<string, StandingApproval | null>();
  for (const review of sortedBy(reviews, (r) => r.submittedAt)) {
    const key = review.reviewer.trim().toLowerCase();
    const state = review.state.toLowerCase();
    if (state === "approved") {
      const current = byReviewer.get(key);
      byReviewer.set(key, current ? { ...current, last: review } : { reviewer: review.reviewer, since: review, last: review });
    } else if (state === "changes_requested" || state === "dismissed") {
      byReviewer.set(key, null);
    }
  }
  return [...byReviewer.values()]
    .filter((a): a is StandingApproval => a !== null)
    .sort((a, b) => a.since.submittedAt.getTime() - b.since.submittedAt.getTime());
}

/** Standing approvals by people who neither wrote nor opened the change. */
export function independentApprovals(e: Pick<DeploymentEvidence, "pullRequest" | "pullRequestCommits" | "reviews">): StandingApproval[] {
  const authors = authorsOf(e);
  return standingApprovals(e.reviews).filter((a) => !isAuthor(a.reviewer, authors));
}
