import { authorize } from "@/lib/auth/request";
import { revokeAllSessions } from "@/lib/auth/user-admin";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

/** Ends every open session of a person. */
export const DELETE = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "users:manage");
  return json(await revokeAllSessions(db, actorOfPrincipal(who, req), (await ctx.params).id));
});

export const { GET, POST, PUT, PATCH, OPTIONS } = otherMethods(["DELETE"]);
