import { sql } from "drizzle-orm";
import { bulkInsert, onConflictNothing, onConflictUpdate } from "@/db/bulk";
import type { Queryable } from "@/db/client";
import { checkRuns, commits, pullRequests, reviews, webhookRepositories } from "@/db/schema";
import type { CustodyEvent, EventOf } from "../events/schema";
import { sourceKeyOf } from "../evidence/source";
import { chunks, excluded, foldNewerWins, groupBy, newerWins } from "./merge";
import { bySender, originOf, standingSender } from "./sourced";
import type { Touched } from "./touched";

/** Remembers the repositories that send signed webhooks; the source policy treats them differently. */
async function noteWebhookRepositories(tx: Queryable, events: (CustodyEvent & { repository: string })[]): Promise<void> {
  const byRepo = new Map<string, string>();
  for (const e of events) {
    const s = originOf(e);
    if (s.verified && s.kind.endsWith("-webhook")) byRepo.set(e.repository, s.kind);
  }
  if (byRepo.size === 0) return;
  await bulkInsert(
    tx,
    webhookRepositories,
    [...byRepo].map(([repository, sourceKind]) => ({ repository, sourceKind })),
    onConflictNothing(),
  );
}

export async function applyCommits(tx: Queryable, events: EventOf<"commit">[], touched: Touched): Promise<void> {
  await noteWebhookRepositories(tx, events);
  const rows = [...groupBy(events, (e) => e.sha).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const row = foldNewerWins(
      group.map((e) => ({
        sha: e.sha,
        repository: e.repository,
        message: e.message || null,
        authorName: e.author?.name ?? null,
        authorEmail: e.author?.email ?? null,
        authorLogin: e.author?.login ?? null,
        committerLogin: e.committerLogin ?? null,
        branch: e.branch ?? null,
        pushedBy: e.pushedBy ?? null,
        committedAt: new Date(e.occurredAt),
        url: e.url ?? null,
      })),
      "committedAt",
    );
    return { ...row, ...columns };
  });
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(
      tx,
      commits,
      batch.map((r) => ({ ...r, message: r.message ?? "" })),
      onConflictUpdate(
        [commits.sha],
        bySender(commits, {
          message: sql`case when ${commits.message} = '' then ${excluded("message")} else ${commits.message} end`,
          authorName: sql`coalesce(${commits.authorName}, ${excluded("authorName")})`,
          authorEmail: sql`coalesce(${commits.authorEmail}, ${excluded("authorEmail")})`,
          authorLogin: sql`coalesce(${commits.authorLogin}, ${excluded("authorLogin")})`,
          committerLogin: sql`coalesce(${commits.committerLogin}, ${excluded("committerLogin")})`,
          branch: sql`coalesce(${commits.branch}, ${excluded("branch")})`,
          pushedBy: sql`coalesce(${commits.pushedBy}, ${excluded("pushedBy")})`,
          committedAt: sql`least(${commits.committedAt}, ${excluded("committedAt")})`,
          url: sql`coalesce(${commits.url}, ${excluded("url")})`,
        }),
        commits,
      ),
    );
  }
  for (const r of rows) touched.commitShas.add(r.sha);
}

const prKeys = ["title", "body", "author", "state", "merged", "mergedAt", "mergedBy", "mergeCommitSha", "headSha", "baseRef", "url", "openedAt"];

export async function applyPullRequests(tx: Queryable, events: EventOf<"pull_request">[], touched: Touched): Promise<void> {
  await noteWebhookRepositories(tx, events);
  const rows = [...groupBy(events, (e) => `${e.repository}#${e.number}`).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const row = foldNewerWins(
      group.map((e) => ({
        repository: e.repository,
        number: e.number,
        title: e.title,
        body: e.body,
        author: e.author ?? null,
        state: e.state,
        merged: e.merged,
        mergedAt: e.mergedAt ? new Date(e.mergedAt) : null,
        mergedBy: e.mergedBy ?? null,
        mergeCommitSha: e.mergeCommitSha ?? null,
        headSha: e.headSha ?? null,
        baseRef: e.baseRef ?? null,
        url: e.url ?? null,
        openedAt: e.openedAt ? new Date(e.openedAt) : null,
        sourceUpdatedAt: new Date(e.occurredAt),
      })),
      "sourceUpdatedAt",
    );
    return { ...row, ...columns };
  });
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(tx, pullRequests, batch, onConflictUpdate([pullRequests.repository, pullRequests.number], bySender(pullRequests, newerWins(pullRequests, prKeys, "sourceUpdatedAt"), "sourceUpdatedAt"), pullRequests));
  }
  for (const r of rows) {
    touched.pullRequests.add(`${r.repository}#${r.number}`);
    if (r.mergeCommitSha) touched.commitShas.add(r.mergeCommitSha);
    if (r.headSha) touched.commitShas.add(r.headSha);
  }
}

export async function applyReviews(tx: Queryable, events: EventOf<"review">[], touched: Touched): Promise<void> {
  await noteWebhookRepositories(tx, events);
  // Keyed by sender as well: a token's review with GitHub's review id is a second row, never a replacement.
  const rows = [...groupBy(events, (e) => `${e.repository}:${sourceKeyOf(originOf(e))}:${e.reviewId}`).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const row = foldNewerWins(
      group.map((e) => ({
        externalId: e.reviewId,
        repository: e.repository,
        pullNumber: e.pullNumber,
        reviewer: e.reviewer,
        state: e.state,
        commitSha: e.commitSha ?? null,
        submittedAt: new Date(e.occurredAt),
      })),
      "submittedAt",
    );
    return { ...row, ...columns };
  });
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(
      tx,
      reviews,
      batch,
      onConflictUpdate(
        [reviews.repository, reviews.sourceKey, reviews.externalId],
        bySender(reviews, newerWins(reviews, ["pullNumber", "reviewer", "state", "commitSha"], "submittedAt"), "submittedAt"),
        reviews,
      ),
    );
  }
  for (const r of rows) touched.pullRequests.add(`${r.repository}#${r.pullNumber}`);
}

export async function applyCheckRuns(tx: Queryable, events: EventOf<"check_run">[], touched: Touched): Promise<void> {
  await noteWebhookRepositories(tx, events);
  const rows = [...groupBy(events, (e) => e.checkId).values()].map((all) => {
    const { events: group, columns } = standingSender(all);
    const row = foldNewerWins(
      group.map((e) => ({
        externalId: e.checkId,
        repository: e.repository,
        headSha: e.headSha,
        name: e.name,
        status: e.status,
        conclusion: e.conclusion ?? null,
        completedAt: e.status === "completed" ? new Date(e.occurredAt) : null,
        url: e.url ?? null,
        sourceUpdatedAt: new Date(e.occurredAt),
      })),
      "sourceUpdatedAt",
    );
    return { ...row, ...columns };
  });
  for (const batch of chunks(rows, 5000)) {
    await bulkInsert(
      tx,
      checkRuns,
      batch,
      onConflictUpdate(
        [checkRuns.externalId],
        bySender(checkRuns, newerWins(checkRuns, ["repository", "headSha", "name", "status", "conclusion", "completedAt", "url"], "sourceUpdatedAt"), "sourceUpdatedAt"),
        checkRuns,
      ),
    );
  }
  for (const r of rows) touched.commitShas.add(r.headSha);
}
