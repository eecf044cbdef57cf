import { authorize } from "@/lib/auth/request";
import { resetPassword } from "@/lib/auth/user-admin";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

/** A new one-time password, shown once in this answer; the person must change it at the next sign-in. */
export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "users:manage");
  const { user, oneTimePassword } = await resetPassword(db, actorOfPrincipal(who, req), (await ctx.params).id);
  return json({ id: user.id, email: user.email, oneTimePassword, mustChangePassword: true }, { headers: { "cache-control": "no-store" } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
