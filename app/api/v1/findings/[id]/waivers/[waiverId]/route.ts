import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { notFound } from "@/lib/errors";
import { revokeWaiver } from "@/lib/findings/waivers";
import { handler, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const DELETE = handler(async (req: Request, ctx: { params: Promise<{ id: string; waiverId: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "findings:waive");
  const { id, waiverId } = await ctx.params;
  if (!/^\d{1,15}$/.test(id) || !/^\d{1,15}$/.test(waiverId)) throw notFound(`waiver ${waiverId} of finding ${id}`);
  return json(await revokeWaiver(db, Number(id), Number(waiverId)));
});
