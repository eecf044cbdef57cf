import type { Database, Transaction } from "@/db/client";
import { detectDrift } from "../drift";
import type { Touched } from "../projections/touched";

/** Evaluates drift for the snapshots and audit events the batch touched (rules in lib/policy/drift, storage in lib/drift). */
export async function evaluateDrift(tx: Transaction, touched: Touched, aside: Database | null = null): Promise<void> {
  await detectDrift(tx, touched, aside);
}
