import type { Transaction } from "@/db/client";
import type { Touched } from "../projections/touched";

/** Evaluates drift for the snapshots and audit events the batch touched. */
export async function evaluateDrift(_tx: Transaction, _touched: Touched): Promise<void> {}
