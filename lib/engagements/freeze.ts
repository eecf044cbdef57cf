import { sql } from "drizzle-orm";
import { queryRows, type Database, type Queryable } from "@/db/client";
import { engagementPopulation, engagements, type Engagement } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { Actor } from "../auth/users";
import { signCheckpointAt } from "../ledger/checkpoints";
import { lockLedger } from "../ledger/ledger";
import { EMPTY_ROOT, Frontier } from "../ledger/merkle";
import { rootAt } from "../ledger/tree";
import { populationRows, type ChangeRow } from "../reports/population";
import { scopeEnvironments } from "../reports/scope";
import { instanceSigningKey, type SigningKey } from "../signing/keys";
import type { EngagementInput } from "./input";

/**
 * Creates the engagement and freezes its population: with the ledger head locked (no append can
 * commit meanwhile), the tree size is read and every in-scope change is copied as it stands, so
 * what the auditor sees is the population as of that tree size, whatever arrives later. A signed
 * checkpoint of that size is kept beside it (when the instance has a signing key).
 */
export async function createEngagement(db: Database, by: Actor, input: EngagementInput, key: SigningKey | null = instanceSigningKey()): Promise<Engagement> {
  const created = await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    const root = head.frontier && Frontier.parse(head.frontier).size === head.seq ? Frontier.parse(head.frontier).root() : head.seq === 0 ? EMPTY_ROOT : await rootAt(tx, head.seq);
    const scope = { from: input.from, to: input.to, environments: input.environments, services: input.services };
    const [row] = await tx
      .insert(engagements)
      .values({
        name: input.name,
        framework: input.framework,
        periodFrom: input.from,
        periodTo: input.to,
        environments: input.environments,
        services: input.services,
        scopeEnvironments: await scopeEnvironments(tx, scope),
        treeSize: head.seq,
        rootHash: root.toString("hex"),
        frozenAt: new Date(),
        endsAt: input.endsAt,
        createdBy: by.actor,
      })
      .returning();
    if (!row) throw new Error("engagement insert returned nothing");
    let batch: { engagementId: number; changeId: string; row: Record<string, string | number> }[] = [];
    let count = 0;
    for await (const change of populationRows(tx, scope)) {
      // The frozen row keeps the population CSV's columns; the per-rule cells (checks.csv) are not part of it.
      const { checks: _checks, ...columns } = change;
      batch.push({ engagementId: row.id, changeId: change.changeId, row: columns });
      count += 1;
      if (batch.length === 500) {
        await tx.insert(engagementPopulation).values(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await tx.insert(engagementPopulation).values(batch);
    await recordAudit(tx, {
      ...by,
      action: "engagement.create",
      target: `engagement:${row.id}`,
      details: {
        name: row.name,
        framework: row.framework,
        from: row.periodFrom.toISOString(),
        to: row.periodTo.toISOString(),
        environments: row.scopeEnvironments,
        services: row.services,
        endsAt: row.endsAt.toISOString(),
        treeSize: row.treeSize,
        rootHash: row.rootHash,
        populationSize: count,
      },
    });
    return row;
  });
  // Signed after the commit, outside the ledger lock: signing witnesses the note, which may be slow.
  if (key && created.treeSize > 0) await signCheckpointAt(db, created.treeSize, "package", key);
  return created;
}

/** The frozen population's rows, in (deployed at, change id) order. */
export async function frozenRows(db: Queryable, engagementId: number, changeIds?: readonly string[]): Promise<ChangeRow[]> {
  const filter = changeIds ? sql`and change_id = any(${sql.param([...changeIds])}::text[])` : sql``;
  const rows = await queryRows<{ row: ChangeRow }>(db, sql`select row from engagement_population where engagement_id = ${engagementId} ${filter} order by row->>'deployedAt', change_id`);
  return rows.map((r) => r.row);
}

export async function frozenIds(db: Queryable, engagementId: number): Promise<string[]> {
  const rows = await queryRows<{ change_id: string }>(db, sql`select change_id from engagement_population where engagement_id = ${engagementId}`);
  return rows.map((r) => r.change_id).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

export interface Arrivals {
  /** Ledger entries appended after the frozen tree size. */
  ledgerEntries: number;
  byType: { eventType: string; n: number }[];
  /** In-scope changes of the period in the live projections that the frozen population does not hold. */
  lateChanges: { changeId: string; service: string; environment: string; deployedAt: string }[];
  lateChangeCount: number;
}

/** What arrived since the population was frozen: shown beside it, never mixed into it. */
export async function arrivalsSince(db: Queryable, e: Engagement): Promise<Arrivals> {
  const byType = await queryRows<{ event_type: string; n: string | number }>(
    db,
    sql`select event_type, count(*) as n from ledger_events where seq > ${e.treeSize} group by event_type order by count(*) desc, event_type limit 10`,
  );
  const [total] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from ledger_events where seq > ${e.treeSize}`);
  const envs = e.scopeEnvironments.length > 0 ? e.scopeEnvironments : ["\u0000"];
  const services = e.services.length > 0 ? sql`and d.service = any(${sql.param(e.services)}::text[])` : sql``;
  const late = await queryRows<{ external_id: string; service: string; environment: string; deployed_at: Date | string; n: string | number }>(
    db,
    sql`select d.external_id, d.service, d.environment, d.deployed_at, count(*) over () as n from deployments d
        where d.status = 'success' and d.deployed_at >= ${e.periodFrom} and d.deployed_at < ${e.periodTo}
          and d.environment = any(${sql.param(envs)}::text[]) ${services}
          and not exists (select 1 from engagement_population p where p.engagement_id = ${e.id} and p.change_id = d.external_id)
        order by d.deployed_at, d.id limit 20`,
  );
  return {
    ledgerEntries: Number(total?.n ?? 0),
    byType: byType.map((r) => ({ eventType: r.event_type, n: Number(r.n) })),
    lateChanges: late.map((r) => ({ changeId: r.external_id, service: r.service, environment: r.environment, deployedAt: new Date(r.deployed_at).toISOString() })),
    lateChangeCount: Number(late[0]?.n ?? 0),
  };
}
