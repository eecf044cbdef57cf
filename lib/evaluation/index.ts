import type { Database, Transaction } from "@/db/client";
import type { Touched } from "../projections/touched";
import { evaluateDrift } from "./drift";
import { evaluateGates } from "./gates";

/**
 * Runs after every projection, in the same transaction: re-judges what the new evidence touched
 * (gate checks for deployments, drift for snapshots and audit events). Pure rules live in
 * lib/policy; these functions only gather evidence and store results and findings. `aside`, when
 * given, serves reads of committed evidence on another connection, beside the transaction.
 */
export async function evaluateTouched(tx: Transaction, touched: Touched, aside: Database | null = null): Promise<void> {
  await evaluateGates(tx, touched);
  await evaluateDrift(tx, touched, aside);
}
