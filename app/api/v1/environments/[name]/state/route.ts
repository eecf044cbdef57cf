import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { parseInstant } from "@/lib/evidence/cursor";
import { environmentStateAt } from "@/lib/evidence/state";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req: Request, ctx: { params: Promise<{ name: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const { name } = await ctx.params;
  const at = parseInstant("at", new URL(req.url).searchParams.get("at"));
  return json(await environmentStateAt(db, name, at));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
