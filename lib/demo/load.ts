import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { instanceMeta } from "@/db/schema";
import { ensureDemoUsers } from "../auth/users";
import { evaluationSettled } from "../evaluation/queue";
import { ingest } from "../ingest/ingest";
import { prepareEvents } from "../ingest/events-api";
import { principals } from "../evidence/source";
import { ensureDemoEngagements } from "./engagements";
import { generateDemoEvents } from "./generate";

const DEMO_KEY = "demo_loaded_at";

export async function demoLoaded(db: Database): Promise<boolean> {
  const rows = await db.select().from(instanceMeta).where(eq(instanceMeta.key, DEMO_KEY));
  return rows.length > 0;
}

/**
 * Feeds the demo history through the same ingest path as real events, so the ledger holds it and
 * a rebuild reproduces it. Loading twice stores nothing new: every event id is already there.
 */
export async function loadDemo(
  db: Database,
  passwords: "public" | "random" = "public",
): Promise<{ accepted: number; duplicates: number; users: { email: string; role: string; password: string }[] }> {
  const events = generateDemoEvents();
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
  await ensureDemoEngagements(db);
  await db
    .insert(instanceMeta)
    .values({ key: DEMO_KEY, value: { at: new Date().toISOString(), events: events.length } })
    .onConflictDoNothing();
  return { accepted, duplicates, users };
}
