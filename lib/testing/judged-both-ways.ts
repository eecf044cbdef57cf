import { afterAll, beforeAll } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { setSnapshotGrouping } from "../drift";
import { evaluationSettled, setEvaluationMode } from "../evaluation/queue";
import { ingestEvents } from "../ingest/events-api";

export async function sendEvents(h: DatabaseHandle, events: unknown[]): Promise<void> {
  const body = { events };
  await ingestEvents(h.db, body, JSON.stringify(body));
}

/**
 * Two databases holding the same history, judged the two ways drift can judge a run of snapshots:
 * `one` receives each snapshot alone and judges it before the next; `grouped` receives them in one
 * batch and judges them in one evaluation, as a group (lib/drift/gather.ts's group path, and one
 * evaluation's keeping of the open findings). `before` is sent to both first and judged.
 */
async function judgedBothWays(before: unknown[], snapshots: unknown[]): Promise<{ one: DatabaseHandle; grouped: DatabaseHandle; close: () => Promise<void> }> {
  const one = await createTestDatabase();
  const grouped = await createTestDatabase();
  for (const h of [one, grouped]) {
    if (before.length === 0) continue;
    await sendEvents(h, before);
    await evaluationSettled(h.db);
  }
  for (const s of snapshots) {
    await sendEvents(one, [s]);
    await evaluationSettled(one.db);
  }
  setEvaluationMode(grouped.db, "external");
  await sendEvents(grouped, snapshots);
  setEvaluationMode(grouped.db, "inline");
  setSnapshotGrouping(true);
  await evaluationSettled(grouped.db);
  return { one, grouped, close: async () => (await one.close(), await grouped.close()) };
}

/**
 * judgedBothWays for a test file: the two databases are made before its tests and closed after
 * them; `one` and `grouped` read them once made.
 */
export function judgedBothWaysInFile(before: unknown[], snapshots: unknown[]): { readonly one: DatabaseHandle; readonly grouped: DatabaseHandle } {
  let made: Awaited<ReturnType<typeof judgedBothWays>> | undefined;
  beforeAll(async () => {
    made = await judgedBothWays(before, snapshots);
  });
  afterAll(async () => {
    await made?.close();
  });
  const get = (): Awaited<ReturnType<typeof judgedBothWays>> => {
    if (!made) throw new Error("judgedBothWaysInFile: read before its beforeAll ran");
    return made;
  };
  return {
    get one() {
      return get().one;
    },
    get grouped() {
      return get().grouped;
    },
  };
}
