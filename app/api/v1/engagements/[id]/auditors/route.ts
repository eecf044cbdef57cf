import { readFields } from "@/lib/auth/forms";
import { getDb } from "@/lib/db";
import { invitationPath, inviteAuditor, parseInvite } from "@/lib/engagements/auditors";
import { engagementRoute } from "@/lib/engagements/http";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Invites an auditor; the one-time link is in this answer only (send it to them), never stored. */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const { actor, engagement } = await engagementRoute(db, req, (await ctx.params).id, "engagements:manage");
  const inv = await inviteAuditor(db, actor, engagement, parseInvite((await readFields(req)).fields));
  return json({ userId: inv.userId, email: inv.email, invitationUrl: new URL(invitationPath(inv.token), req.url).toString(), expiresAt: inv.expiresAt.toISOString() }, { status: 201, headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
