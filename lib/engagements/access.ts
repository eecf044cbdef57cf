import { and, desc, eq, isNull } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { engagementAuditors, engagements, type Engagement, type User } from "@/db/schema";
import { AppError, notFound } from "../errors";

/** Who is looking: a signed-in person (engagement routes take no machine tokens). */
export type Viewer = Pick<User, "id" | "email" | "role">;

export const isEngagementAuditor = (v: Pick<User, "role">) => v.role === "engagement-auditor";

/** The one engagement an engagement auditor may open, or null (never invited, or access ended). */
export async function auditorEngagementId(db: Queryable, userId: number, now = new Date()): Promise<number | null> {
  const [row] = await db
    .select({ engagementId: engagementAuditors.engagementId, expiresAt: engagementAuditors.expiresAt })
    .from(engagementAuditors)
    .where(and(eq(engagementAuditors.userId, userId), isNull(engagementAuditors.endedAt)))
    .limit(1);
  return row && row.expiresAt > now ? row.engagementId : null;
}

/**
 * The engagement `id` as `viewer` may see it. Staff with engagements:read (checked before) see
 * every one; an engagement auditor only their own: any other answers 404, exactly as a missing
 * one does, so an auditor learns nothing of other engagements.
 */
export async function engagementFor(db: Queryable, viewer: Viewer, id: number): Promise<Engagement> {
  if (isEngagementAuditor(viewer) && (await auditorEngagementId(db, viewer.id)) !== id) throw notFound(`engagement ${id}`);
  const [row] = await db.select().from(engagements).where(eq(engagements.id, id)).limit(1);
  if (!row) throw notFound(`engagement ${id}`);
  return row;
}

/** The engagements `viewer` may see, newest first. */
export async function engagementsFor(db: Queryable, viewer: Viewer): Promise<Engagement[]> {
  if (isEngagementAuditor(viewer)) {
    const id = await auditorEngagementId(db, viewer.id);
    return id === null ? [] : db.select().from(engagements).where(eq(engagements.id, id));
  }
  return db.select().from(engagements).orderBy(desc(engagements.id));
}

export function requireOpen(e: Engagement): void {
  if (e.state !== "open") throw new AppError("CONFLICT", `engagement ${e.id} is closed; nothing in it changes any more`);
}
