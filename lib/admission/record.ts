import type { Database } from "@/db/client";
import { appendToLedger, existingDeliveries, lockLedger } from "../ledger/ledger";

export const ADMISSION_SOURCE = "k8s-admission";

/**
 * Keeps an admission review that refused, warned or let a person in, with Custody's answer, as a
 * ledger entry (observed state is evidence). The API server may send the same uid again on retry:
 * one entry per uid.
 */
export async function recordAdmission(db: Database, uid: string, operation: string, body: unknown, answer: Record<string, unknown>, at: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const head = await lockLedger(tx);
    if ((await existingDeliveries(tx, ADMISSION_SOURCE, [uid])).size > 0) return;
    await appendToLedger(tx, head, [
      {
        source: ADMISSION_SOURCE,
        eventType: `admission.${operation.toLowerCase()}`,
        deliveryId: uid,
        contentType: "application/json",
        receivedAt: at,
        body: JSON.stringify({ review: body, answer }),
        status: "used",
        reason: null,
      },
    ]);
  });
}
