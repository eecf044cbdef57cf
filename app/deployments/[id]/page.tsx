import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DeploymentChainView } from "@/components/deployment-chain-view";
import { requireUser } from "@/lib/auth/current-user";
import { deploymentChain } from "@/lib/dashboard/chain";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Deployment ${(await params).id}` };
}

export default async function DeploymentPage({ params }: Props) {
  const raw = (await params).id;
  await requireUser("evidence:read", `/deployments/${raw}`);
  if (!/^\d+$/.test(raw)) notFound();
  const chain = await deploymentChain(await getDb(), Number(raw));
  if (!chain) notFound();
  return <DeploymentChainView chain={chain} />;
}
