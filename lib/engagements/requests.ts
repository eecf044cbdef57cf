import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database, Queryable } from "@/db/client";
import { engagementAttachments, engagementRequestMessages, engagementRequests, evidenceBlobs, type Engagement, type EngagementAttachment, type EngagementRequest, type EngagementRequestMessage } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { Actor } from "../auth/users";
import { AppError, notFound, validation } from "../errors";
import { sha256Hex } from "../ledger/chain";
import { requireOpen } from "./access";
import { ATTACHMENTS_PER_ANSWER, checkAttachment, scanAttachment } from "./attachments";
import { currentSample } from "./sample";

export type RequestStatus = "open" | "answered" | "accepted" | "reopened";

export interface RequestThread extends EngagementRequest {
  messages: (EngagementRequestMessage & { attachments: EngagementAttachment[] })[];
}

/** Raises a request on the engagement, or on one change of the sample in force. */
export async function raiseRequest(db: Database, by: Actor, e: Engagement, input: { title: string; body: string; changeId: string | null }): Promise<EngagementRequest> {
  requireOpen(e);
  return db.transaction(async (tx) => {
    if (input.changeId !== null) {
      const sample = await currentSample(tx, e.id);
      if (!sample?.changeIds.includes(input.changeId)) throw validation(`changeId: ${input.changeId.slice(0, 100)} is not in the sample in force`);
    }
    const [row] = await tx.insert(engagementRequests).values({ engagementId: e.id, changeId: input.changeId, title: input.title, body: input.body, raisedBy: by.actor }).returning();
    if (!row) throw new Error("request insert returned nothing");
    await recordAudit(tx, { ...by, action: "engagement.request.raise", target: `engagement:${e.id}`, details: { requestId: row.id, changeId: row.changeId, title: row.title } });
    return row;
  });
}

async function requestOf(db: Queryable, e: Engagement, requestId: number): Promise<EngagementRequest> {
  const [row] = await db.select().from(engagementRequests).where(and(eq(engagementRequests.id, requestId), eq(engagementRequests.engagementId, e.id))).limit(1);
  if (!row) throw notFound(`request ${requestId} of engagement ${e.id}`);
  return row;
}

export interface Upload {
  name: string;
  data: Buffer;
}

/**
 * Compliance answers with text and files. Each file is checked (size 413, type 415), scanned when
 * a scanner is configured, stored once by its SHA-256, and its hash goes into the audit entry.
 */
export async function answerRequest(db: Database, by: Actor, e: Engagement, requestId: number, input: { body: string; files: Upload[] }): Promise<RequestThread> {
  requireOpen(e);
  if (input.files.length > ATTACHMENTS_PER_ANSWER) throw validation(`files: at most ${ATTACHMENTS_PER_ANSWER} per answer`);
  if (!input.body && input.files.length === 0) throw validation("body: answer with text, a file or both");
  const checked = input.files.map((f) => ({ ...checkAttachment(f), data: f.data, sha256: sha256Hex(f.data) }));
  for (const f of checked) await scanAttachment(f.data);
  await db.transaction(async (tx) => {
    const request = await requestOf(tx, e, requestId);
    if (request.status === "accepted") throw new AppError("CONFLICT", `request ${requestId} is accepted; the auditor must reopen it first`);
    const [message] = await tx.insert(engagementRequestMessages).values({ requestId, kind: "answer", author: by.actor, body: input.body }).returning();
    if (!message) throw new Error("message insert returned nothing");
    for (const f of checked) {
      await tx.insert(evidenceBlobs).values({ sha256: f.sha256, bytes: f.data.length, content: f.data }).onConflictDoNothing();
      await tx.insert(engagementAttachments).values({ messageId: message.id, requestId, engagementId: e.id, sha256: f.sha256, fileName: f.fileName, contentType: f.contentType, bytes: f.data.length });
    }
    await tx.update(engagementRequests).set({ status: "answered", updatedAt: new Date() }).where(eq(engagementRequests.id, requestId));
    await recordAudit(tx, {
      ...by,
      action: "engagement.request.answer",
      target: `engagement:${e.id}`,
      details: { requestId, messageId: message.id, bodySha256: sha256Hex(input.body), attachments: checked.map((f) => ({ fileName: f.fileName, contentType: f.contentType, bytes: f.data.length, sha256: f.sha256 })) },
    });
  });
  return threadOf(db, e, requestId);
}

/** The auditor accepts an answered request, or reopens it with a note saying what is still missing. */
export async function resolveRequest(db: Database, by: Actor, e: Engagement, requestId: number, input: { action: "accept" | "reopen"; note: string }): Promise<RequestThread> {
  requireOpen(e);
  if (input.action === "reopen" && !input.note) throw validation("note: say what is still missing");
  await db.transaction(async (tx) => {
    const request = await requestOf(tx, e, requestId);
    if (input.action === "accept" && request.status !== "answered") throw new AppError("CONFLICT", `request ${requestId} is ${request.status}; only an answered request can be accepted`);
    if (input.action === "reopen" && request.status === "open") throw new AppError("CONFLICT", `request ${requestId} is still open`);
    await tx.insert(engagementRequestMessages).values({ requestId, kind: input.action, author: by.actor, body: input.note });
    await tx.update(engagementRequests).set({ status: input.action === "accept" ? "accepted" : "reopened", updatedAt: new Date() }).where(eq(engagementRequests.id, requestId));
    await recordAudit(tx, { ...by, action: `engagement.request.${input.action}`, target: `engagement:${e.id}`, details: { requestId, note: input.note } });
  });
  return threadOf(db, e, requestId);
}

export async function threadOf(db: Queryable, e: Engagement, requestId: number): Promise<RequestThread> {
  const [thread] = await threads(db, e.id, [await requestOf(db, e, requestId)]);
  if (!thread) throw notFound(`request ${requestId}`);
  return thread;
}

/** Every request of the engagement with its messages and attachments, oldest first. */
export async function requestThreads(db: Queryable, engagementId: number): Promise<RequestThread[]> {
  const rows = await db.select().from(engagementRequests).where(eq(engagementRequests.engagementId, engagementId)).orderBy(asc(engagementRequests.id));
  return threads(db, engagementId, rows);
}

async function threads(db: Queryable, engagementId: number, requests: EngagementRequest[]): Promise<RequestThread[]> {
  if (requests.length === 0) return [];
  const ids = requests.map((r) => r.id);
  const messages = await db.select().from(engagementRequestMessages).where(inArray(engagementRequestMessages.requestId, ids)).orderBy(asc(engagementRequestMessages.id));
  const files = await db.select().from(engagementAttachments).where(eq(engagementAttachments.engagementId, engagementId)).orderBy(asc(engagementAttachments.id));
  return requests.map((r) => ({
    ...r,
    messages: messages.filter((m) => m.requestId === r.id).map((m) => ({ ...m, attachments: files.filter((f) => f.messageId === m.id) })),
  }));
}

/** One attachment of the engagement with its bytes, for download. */
export async function attachmentOf(db: Queryable, engagementId: number, attachmentId: number): Promise<EngagementAttachment & { content: Buffer }> {
  const [row] = await db
    .select({ a: engagementAttachments, content: evidenceBlobs.content })
    .from(engagementAttachments)
    .innerJoin(evidenceBlobs, eq(evidenceBlobs.sha256, engagementAttachments.sha256))
    .where(and(eq(engagementAttachments.id, attachmentId), eq(engagementAttachments.engagementId, engagementId)))
    .limit(1);
  if (!row) throw notFound(`attachment ${attachmentId}`);
  return { ...row.a, content: row.content };
}

export const requestColumns = ["request_id", "change_id", "title", "request", "status", "raised_by", "raised_at", "answers", "attachments", "last_update"] as const;

/** The request list (PBC list) as CSV rows, in requestColumns order. */
export function requestRows(threads: RequestThread[]): string[][] {
  return threads.map((t) => [
    String(t.id),
    t.changeId ?? "(engagement)",
    t.title,
    t.body,
    t.status,
    t.raisedBy,
    t.createdAt.toISOString(),
    t.messages.map((m) => `${m.createdAt.toISOString()} ${m.kind} by ${m.author}: ${m.body}`).join(" | "),
    t.messages.flatMap((m) => m.attachments.map((a) => `${a.fileName} sha256:${a.sha256}`)).join("; "),
    t.updatedAt.toISOString(),
  ]);
}
