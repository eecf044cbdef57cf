import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { engagementsFor } from "@/lib/engagements/access";
import { createEngagement } from "@/lib/engagements/freeze";
import { engagementCaller } from "@/lib/engagements/http";
import { parseEngagementInput } from "@/lib/engagements/input";
import { engagementSummary, summaryJson } from "@/lib/engagements/summary";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** The engagements the caller may see: all for staff, their own for an engagement auditor. */
export const GET = handler(async (req: Request) => {
  const db = await getDb();
  const { viewer } = await engagementCaller(db, req, "engagements:read");
  const rows = await engagementsFor(db, viewer);
  return json({ engagements: rows.map((e) => ({ id: e.id, name: e.name, framework: e.framework, from: e.periodFrom.toISOString(), to: e.periodTo.toISOString(), state: e.state, treeSize: e.treeSize, endsAt: e.endsAt.toISOString() })) });
});

export const POST = handler(async (req: Request) => {
  const db = await getDb();
  const { actor } = await engagementCaller(db, req, "engagements:manage");
  const { fields } = await readFields(req);
  const e = await createEngagement(db, actor, parseEngagementInput(fields));
  return json(summaryJson(await engagementSummary(db, e)), { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
