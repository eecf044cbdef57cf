import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { deploymentChain } from "@/lib/evidence/deployments";
import { handler, json } from "@/lib/http/respond";
import { deploymentProvenance } from "@/lib/provenance/view";

export const dynamic = "force-dynamic";

export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const { id } = await ctx.params;
  const chain = await deploymentChain(db, id);
  return json({ ...chain, provenance: await deploymentProvenance(db, chain) });
});
