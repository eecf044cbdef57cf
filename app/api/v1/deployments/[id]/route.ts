import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { deploymentChain } from "@/lib/evidence/deployments";
import { handler, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const { id } = await ctx.params;
  return json(await deploymentChain(db, id));
});
