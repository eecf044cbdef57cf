import { asc, eq, gt } from "drizzle-orm";
import type { Queryable } from "@/db/client";
import { auditLog, chainHeads, type AuditEntry } from "@/db/schema";
import { chainHash } from "../ledger/chain";
import { verificationBase } from "../partitions/base";
import { auditHashFields } from "./record";

export interface AuditVerifyResult {
  ok: boolean;
  entries: number;
  head: string;
  firstBadSeq: number | null;
  reason?: string;
  /** Entries before the first still in the database, archived (checked from their files). */
  archived?: number;
}

/** Recomputes the audit log's chain: each link, no gaps, and the stored head. */
export async function verifyAuditLog(db: Queryable, batchSize = 2000): Promise<AuditVerifyResult> {
  // From the archive the first remaining entry follows, when old months were archived.
  const base = await verificationBase(db, "audit");
  let prevHash = base.hash;
  let expectedSeq = base.after + 1;
  let after = base.after;
  for (;;) {
    const batch: AuditEntry[] = await db.select().from(auditLog).where(gt(auditLog.seq, after)).orderBy(asc(auditLog.seq)).limit(batchSize);
    for (const e of batch) {
      const bad = (reason: string): AuditVerifyResult => ({ ok: false, entries: expectedSeq - 1, head: prevHash, firstBadSeq: e.seq, reason });
      if (e.seq !== expectedSeq) return { ...bad(`sequence gap: expected ${expectedSeq}`), firstBadSeq: expectedSeq };
      if (e.prevHash !== prevHash) return bad("previous hash does not match the entry before it");
      if (chainHash(prevHash, auditHashFields(e)) !== e.hash) return bad("entry hash does not match its fields");
      prevHash = e.hash;
      expectedSeq += 1;
    }
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]?.seq ?? after;
  }
  const [head] = await db.select().from(chainHeads).where(eq(chainHeads.chain, "audit"));
  const entries = expectedSeq - 1;
  if (!head || head.seq !== entries || head.hash !== prevHash) {
    return { ok: false, entries, head: prevHash, firstBadSeq: entries + 1, reason: "audit head does not match the last entry (entries missing?)" };
  }
  return { ok: true, entries, head: prevHash, firstBadSeq: null, archived: base.after };
}
