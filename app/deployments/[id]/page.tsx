import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import PageLoading from "@/components/page-loading";
import { DeploymentChainView } from "@/components/deployment-chain-view";
import { GateDecisions } from "@/components/gate-decisions";
import { ProvenanceSection } from "@/components/provenance-section";
import { requireUser } from "@/lib/auth/current-user";
import { deploymentChain } from "@/lib/dashboard/chain";
import { getDb } from "@/lib/db";
import { decisionsForChange } from "@/lib/gates/queries";
import { deploymentProvenance } from "@/lib/provenance/view";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Deployment ${(await params).id}` };
}

export default async function DeploymentPage({ params }: Props) {
  const raw = (await params).id;
  await requireUser("evidence:read", `/deployments/${raw}`);
  if (!/^\d{1,15}$/.test(raw)) notFound();
  const db = await getDb();
  const chain = await deploymentChain(db, Number(raw));
  if (!chain) notFound();
  return (
    <>
      <DeploymentChainView chain={chain} />
      {/* Provenance may verify a Sigstore bundle: the verdict and the chain come first. */}
      <Suspense fallback={<PageLoading />}>
        <ProvenanceAndDecisions chain={chain} />
      </Suspense>
    </>
  );
}

async function ProvenanceAndDecisions({ chain }: { chain: NonNullable<Awaited<ReturnType<typeof deploymentChain>>> }) {
  const db = await getDb();
  const [provenance, decisions] = await Promise.all([
    deploymentProvenance(db, chain.deployment),
    decisionsForChange(db, { digest: chain.deployment.digest, environment: chain.deployment.environment, commitSha: chain.commit?.sha ?? null }),
  ]);
  return (
    <>
      <ProvenanceSection provenance={provenance} />
      <GateDecisions decisions={decisions} />
    </>
  );
}
