import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { ledgerEvents } from "@/db/schema";
import { createTestDatabase, createTestDatabaseOn } from "@/db/testing";
import { requirePostgres } from "../testing/requires";
import type { AdmissionConfig } from "../config";
import { digestOf } from "../evidence/test-change";
import { appendAtHead, appendToLedger, lockLedger, readLedgerHead, verifyLedger, type NewLedgerEntry } from "../ledger/ledger";
import { verifyTree } from "../ledger/verify-tree";
import { ADMISSION_SOURCE } from "./record";
import { answerAdmission } from "./webhook";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle?.close());

type Answer = { response: { uid: string; allowed: boolean; status?: { code: number; message: string }; warnings?: string[] } };
const enforced: AdmissionConfig = { namespaces: { production: { mode: "enforce", environment: "production" } }, failurePolicy: "Fail", budgetMs: 30_000 };

/** A Deployment create in the enforced namespace whose image has no decision: refused, and recorded. */
function refusedReview(uid: string): string {
  return JSON.stringify({
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: { group: "apps", version: "v1", kind: "Deployment" },
      resource: { group: "apps", version: "v1", resource: "deployments" },
      name: `svc-${uid}`,
      namespace: "production",
      operation: "CREATE",
      userInfo: { username: "system:serviceaccount:argocd:argocd-application-controller" },
      object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `svc-${uid}`, namespace: "production" }, spec: { template: { spec: { containers: [{ name: "app", image: `ghcr.io/acme/svc@${digestOf(`never-decided-${uid}`)}` }] } } } },
      oldObject: null,
      dryRun: false,
    },
  });
}
const ask = async (body: string, settings: AdmissionConfig = enforced) => (await answerAdmission(handle.db, body, settings)) as Answer;
const entriesOf = (uids: string[]) => handle.db.select().from(ledgerEvents).where(inArray(ledgerEvents.deliveryId, uids));

describe("admission records under a burst of refusals", () => {
  it("answers every review of a concurrent burst, each with a ledger entry of its own holding that answer, and the ledger and its tree verify", async () => {
    const uids = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
    const answers = await Promise.all(uids.map((uid) => ask(refusedReview(uid))));
    for (const [i, a] of answers.entries()) {
      expect(a.response).toMatchObject({ uid: uids[i], allowed: false, status: { code: 403 } });
    }
    const entries = await entriesOf(uids);
    expect(entries.map((e) => e.deliveryId).sort()).toEqual([...uids].sort());
    expect(new Set(entries.map((e) => e.seq)).size).toBe(uids.length);
    for (const e of entries) {
      expect(e.source).toBe(ADMISSION_SOURCE);
      const stored = JSON.parse(e.body) as { review: { request: { uid: string } }; answer: Record<string, unknown> };
      const answered = answers[uids.indexOf(e.deliveryId)]?.response;
      expect(stored.review.request.uid).toBe(e.deliveryId);
      // What the cluster was told is what the ledger keeps (plus where and how it was judged).
      expect(stored.answer).toEqual({ ...answered, environment: "production", mode: "enforce" });
    }
    expect(await verifyLedger(handle.db)).toMatchObject({ ok: true, firstBadSeq: null });
    expect(await verifyTree(handle.db)).toMatchObject({ ok: true, problem: null });
  });

  it("stores a uid the API server sends again, even at the same moment, once", async () => {
    const body = refusedReview("retried-1");
    const answers = await Promise.all([ask(body), ask(body), ask(body)]);
    const again = await ask(body);
    for (const a of [...answers, again]) expect(a.response).toMatchObject({ uid: "retried-1", allowed: false });
    expect(await entriesOf(["retried-1"])).toHaveLength(1);
    expect(await verifyLedger(handle.db)).toMatchObject({ ok: true });
  });

  it("does not answer a refusal before its entry is committed: with the ledger head held elsewhere the failure policy answers, and the entry follows once the head is free", async () => {
    let held: Answer | undefined;
    await handle.db.transaction(async (tx) => {
      // Another writer holds the ledger head (as a long append would): the refusal's record must wait.
      await tx.execute(sql`select seq from chain_heads where chain = 'ledger' for update`);
      held = await ask(refusedReview("held-1"), { ...enforced, budgetMs: 100 });
    });
    expect(held?.response).toMatchObject({ uid: "held-1", allowed: false, status: { code: 400 } });
    expect(held?.response.status?.message).toContain("no answer within 100 ms");
    // Records are appended in arrival order: once a later refusal is answered, the held one is committed.
    expect((await ask(refusedReview("after-held-1"))).response.allowed).toBe(false);
    const [entry] = await handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, "held-1"));
    expect(entry?.source).toBe(ADMISSION_SOURCE);
    expect(await verifyLedger(handle.db)).toMatchObject({ ok: true });
  });

  it("appends after a head another writer moved in between (an ingest under the head lock): the refusal still gets its entry, next in the chain", async () => {
    expect((await ask(refusedReview("before-other-1"))).response.allowed).toBe(false);
    const other = await handle.db.transaction(async (tx) => appendToLedger(tx, await lockLedger(tx), [ledgerEntry("github", "other-writer-1")]));
    expect((await ask(refusedReview("after-other-1"))).response.allowed).toBe(false);
    const [after] = await entriesOf(["after-other-1"]);
    expect(after?.seq).toBe(other.seq + 1);
    expect(after?.prevHash).toBe(other.hash);
    expect(await verifyLedger(handle.db)).toMatchObject({ ok: true });
    expect(await verifyTree(handle.db)).toMatchObject({ ok: true, problem: null });
  });
});

function ledgerEntry(source: string, deliveryId: string): NewLedgerEntry {
  return { source, eventType: "test", deliveryId, contentType: "application/json", receivedAt: new Date(), body: JSON.stringify({ deliveryId }), status: "used", reason: null };
}

describe("appendAtHead", () => {
  it("writes nothing when the head has moved since it was read, and appends after the head read again", async () => {
    const stale = await readLedgerHead(handle.db);
    await handle.db.transaction(async (tx) => appendToLedger(tx, await lockLedger(tx), [ledgerEntry("github", "moved-head-1")]));
    const missed = await appendAtHead(handle.db, stale, ADMISSION_SOURCE, [ledgerEntry(ADMISSION_SOURCE, "at-head-1")]);
    expect(missed).toEqual({ appended: null, seen: new Set() });
    expect(await entriesOf(["at-head-1"])).toHaveLength(0);
    const head = await readLedgerHead(handle.db);
    expect(head.seq).toBe(stale.seq + 1);
    const done = await appendAtHead(handle.db, head, ADMISSION_SOURCE, [ledgerEntry(ADMISSION_SOURCE, "at-head-1"), ledgerEntry(ADMISSION_SOURCE, "at-head-2")]);
    expect(done.appended?.seq).toBe(head.seq + 2);
    expect(await readLedgerHead(handle.db)).toEqual(done.appended);
    expect(await verifyLedger(handle.db)).toMatchObject({ ok: true });
    expect(await verifyTree(handle.db)).toMatchObject({ ok: true, problem: null });
  });

  it("writes nothing when one of the delivery ids is already stored for the source, and says which", async () => {
    const head = await readLedgerHead(handle.db);
    const r = await appendAtHead(handle.db, head, ADMISSION_SOURCE, [ledgerEntry(ADMISSION_SOURCE, "at-head-3"), ledgerEntry(ADMISSION_SOURCE, "at-head-1")]);
    expect(r).toEqual({ appended: null, seen: new Set(["at-head-1"]) });
    expect(await entriesOf(["at-head-3"])).toHaveLength(0);
    expect(await readLedgerHead(handle.db)).toEqual(head);
    // The same delivery id under another source is another event.
    const other = await appendAtHead(handle.db, head, "github", [ledgerEntry("github", "at-head-1")]);
    expect(other.appended?.seq).toBe(head.seq + 1);
    expect(await verifyLedger(handle.db)).toMatchObject({ ok: true });
  });
});

const serverUrl = requirePostgres(import.meta.filename, "admission records from two processes at once");

describe.skipIf(!serverUrl)("admission records from two processes sharing one database", () => {
  it("keeps one gapless chain when two servers and an ingest append at the same moment, each refusal stored once", async () => {
    const a = await createTestDatabaseOn(serverUrl ?? "");
    const b = await openDatabase({ url: a.url ?? "" });
    try {
      const uids = Array.from({ length: 60 }, (_, i) => `two-${i}`);
      const answers = await Promise.all([
        ...uids.map((uid, i) => answerAdmission((i % 2 === 0 ? a : b).db, refusedReview(uid), enforced)),
        // The same uid sent to both servers (an API server's retry to another replica).
        answerAdmission(a.db, refusedReview("two-0"), enforced),
        answerAdmission(b.db, refusedReview("two-0"), enforced),
        ...Array.from({ length: 5 }, (_, i) => a.db.transaction(async (tx) => appendToLedger(tx, await lockLedger(tx), [ledgerEntry("github", `two-ingest-${i}`)]))),
      ]);
      for (const answer of answers.slice(0, uids.length + 2)) expect((answer as Answer).response.allowed).toBe(false);
      const stored = await a.db.select().from(ledgerEvents).where(inArray(ledgerEvents.deliveryId, uids));
      expect(stored.map((e) => e.deliveryId).sort()).toEqual([...uids].sort());
      expect(await verifyLedger(a.db)).toMatchObject({ ok: true, events: uids.length + 5 });
      expect(await verifyTree(a.db)).toMatchObject({ ok: true, problem: null });
    } finally {
      await b.close();
      await a.close();
    }
  });
});
