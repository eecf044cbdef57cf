import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { deploymentChain } from "@/lib/evidence/deployments";
import { decisionsForChange } from "@/lib/gates/queries";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { deploymentProvenance } from "@/lib/provenance/view";

export const dynamic = "force-dynamic";

export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const { id } = await ctx.params;
  const chain = await deploymentChain(db, id);
  const sha = typeof chain.commit?.sha === "string" ? chain.commit.sha : null;
  // The gates asked about this change before it went through (additive to the chain's contract).
  const decisions = await decisionsForChange(db, { digest: chain.digest, environment: chain.environment, commitSha: sha });
  return json({ ...chain, provenance: await deploymentProvenance(db, chain), decisions });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
