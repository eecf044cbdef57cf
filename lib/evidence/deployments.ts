import { and, desc, eq, gte, lte, or, lt, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { deployments } from "@/db/schema";
import { notFound, validation } from "../errors";
import { chainsForDeployments, type EvidenceChain } from "./chain";
import { decodeCursor, encodeCursor } from "./cursor";

export interface DeploymentFilter {
  environment?: string;
  service?: string;
  from?: Date;
  to?: Date;
  /** An opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  limit?: number;
}

export interface DeploymentListItem {
  id: number;
  externalId: string;
  service: string;
  environment: string;
  imageRef: string;
  digest: string | null;
  commitSha: string | null;
  actor: string | null;
  actorType: string;
  changeType: string;
  status: string;
  deployedAt: string;
}

/** Deployments newest first (by deploy time, then id), one page at a time. */
export async function listDeployments(db: Queryable, f: DeploymentFilter): Promise<{ items: DeploymentListItem[]; nextCursor: string | null }> {
  const limit = f.limit ?? 50;
  const where: SQL[] = [];
  if (f.environment) where.push(eq(deployments.environment, f.environment));
  if (f.service) where.push(eq(deployments.service, f.service));
  if (f.from) where.push(gte(deployments.deployedAt, f.from));
  if (f.to) where.push(lte(deployments.deployedAt, f.to));
  if (f.cursor) {
    const c = decodeCursor(f.cursor, { t: "string", id: "number" });
    const t = new Date(String(c.t));
    if (Number.isNaN(t.getTime())) throw validation("cursor: malformed");
    const after = or(lt(deployments.deployedAt, t), and(eq(deployments.deployedAt, t), lt(deployments.id, Number(c.id))));
    if (after) where.push(after);
  }
  const rows = await db
    .select()
    .from(deployments)
    .where(and(...where))
    .orderBy(desc(deployments.deployedAt), desc(deployments.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((d) => ({
      id: d.id, externalId: d.externalId, service: d.service, environment: d.environment, imageRef: d.imageRef, digest: d.digest,
      commitSha: d.commitSha, actor: d.actor, actorType: d.actorType, changeType: d.changeType, status: d.status, deployedAt: d.deployedAt.toISOString(),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.deployedAt.toISOString(), id: last.id }) : null,
  };
}

/** One deployment's whole chain, by its numeric id or its external id (the producer's deployment id). */
export async function deploymentChain(db: Queryable, idOrKey: string): Promise<EvidenceChain> {
  const byKey = await db.select({ id: deployments.id }).from(deployments).where(eq(deployments.externalId, idOrKey)).limit(1);
  const id = byKey[0]?.id ?? (/^\d{1,15}$/.test(idOrKey) ? Number(idOrKey) : null);
  const [chain] = id === null ? [] : await chainsForDeployments(db, [id]);
  if (chain === undefined) throw notFound(`deployment ${idOrKey}`);
  return chain;
}
