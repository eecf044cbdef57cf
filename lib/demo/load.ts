import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { instanceMeta } from "@/db/schema";
import { ensureDemoUsers } from "../auth/users";
import { evaluationSettled } from "../evaluation/queue";
import { ingest } from "../ingest/ingest";
import { prepareEvents } from "../ingest/events-api";
import { principals } from "../evidence/source";
import { ensureDemoEngagements } from "./engagements";
import { config } from "../config";
import { DEMO_DEFAULT_DAYS, DEMO_DEFAULT_END, generateDemoEvents } from "./generate";

const DEMO_KEY = "demo_loaded_at";

export async function demoLoaded(db: Database): Promise<boolean> {
  const rows = await db.select().from(instanceMeta).where(eq(instanceMeta.key, DEMO_KEY));
  return rows.length > 0;
}

/**
 * Where a new demo history ends: `end` when given (the tests' fixed history), else CUSTODY_DEMO_END,
 * else the current minute, so a trial started today shows a cluster observed today and its charts
 * filled up to now. A demo loaded before keeps the end it was loaded with (instance_meta), so
 * loading again stores nothing new.
 */
export async function demoEnd(db: Database, end?: Date): Promise<Date> {
  const [before] = await db.select().from(instanceMeta).where(eq(instanceMeta.key, DEMO_KEY));
  // Loaded by a version that did not record its end: that was always the fixed default.
  if (before) return new Date((before.value as { end?: string }).end ?? DEMO_DEFAULT_END);
  const chosen = end ?? config().demoEnd ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
  if (chosen.getTime() > Date.now() + config().futureSkewSeconds * 1000) {
    throw new RangeError(`the demo cannot end in the future (${chosen.toISOString()}): its events would be refused`);
  }
  return chosen;
}

/**
 * Feeds the demo history through the same ingest path as real events, so the ledger holds it and
 * a rebuild reproduces it. Loading twice stores nothing new: every event id is already there.
 */
export async function loadDemo(
  db: Database,
  passwords: "public" | "random" = "public",
  end?: Date,
): Promise<{ accepted: number; duplicates: number; end: Date; users: { email: string; role: string; password: string }[] }> {
  const until = await demoEnd(db, end);
  const events = generateDemoEvents({ end: until });
  let accepted = 0;
  let duplicates = 0;
  for (let i = 0; i < events.length; i += 500) {
    const r = await ingest(db, prepareEvents(events.slice(i, i + 500), null, principals.demo));
    accepted += r.stored.length;
    duplicates += r.duplicates.length;
    // Judge each batch before the next, as a live system does within seconds: the demo's
    // history of findings (opened, seen again, resolved) then reads as it happened.
    await evaluationSettled(db);
  }
  const users = await ensureDemoUsers(db, passwords);
  // After the events: the engagements freeze the demo's population as the ledger now holds it.
  await ensureDemoEngagements(db, new Date(), until);
  await db
    .insert(instanceMeta)
    .values({ key: DEMO_KEY, value: { at: new Date().toISOString(), events: events.length, end: until.toISOString(), days: DEMO_DEFAULT_DAYS } })
    .onConflictDoNothing();
  return { accepted, duplicates, end: until, users };
}
