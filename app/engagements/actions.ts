"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import type { Permission } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db";
import { engagementFor } from "@/lib/engagements/access";
import { endAuditorAccess, invitationPath, inviteAuditor, parseInvite } from "@/lib/engagements/auditors";
import { createEngagement } from "@/lib/engagements/freeze";
import { formAnswer } from "@/lib/engagements/http";
import { messageText, parseDraw, parseEngagementInput, parseId, parseMark, parseRequest } from "@/lib/engagements/input";
import { answerRequest, raiseRequest, resolveRequest } from "@/lib/engagements/requests";
import { drawEngagementSample } from "@/lib/engagements/sample";
import { closeEngagement, markTest } from "@/lib/engagements/tests";
import { AppError } from "@/lib/errors";
import { formProblem } from "@/lib/http/form-text";
import type { FormState } from "./form-state";

const fieldsOf = (form: FormData): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") out[k] = v;
  return out;
};
const rawId = (form: FormData) => (typeof form.get("id") === "string" ? String(form.get("id")) : "");

/** Runs one engagement step for the signed-in person allowed `permission` on the engagement in the form. */
async function step(form: FormData, permission: Permission, fn: (ctx: Awaited<ReturnType<typeof context>>) => Promise<FormState | string>): Promise<FormState> {
  const user = await requireUser(permission, `/engagements/${rawId(form).slice(0, 20)}`);
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  let out: FormState;
  try {
    const result = await fn(await context(user, form));
    out = typeof result === "string" ? { done: result } : result;
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
  revalidatePath(`/engagements/${rawId(form)}`);
  return out;
}

async function context(user: Awaited<ReturnType<typeof requireUser>>, form: FormData) {
  const db = await getDb();
  const engagement = await engagementFor(db, user, parseId(rawId(form)));
  return { db, engagement, by: await actorOf(user), fields: fieldsOf(form) };
}

export async function createEngagementAction(_prev: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser("engagements:manage", "/engagements");
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  let id = 0;
  try {
    const db = await getDb();
    id = (await createEngagement(db, await actorOf(user), parseEngagementInput(fieldsOf(form)))).id;
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
  redirect(`/engagements/${id}`);
}

export async function inviteAuditorAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:manage", async ({ db, engagement, by, fields }) => {
    const inv = await inviteAuditor(db, by, engagement, parseInvite(fields));
    const h = await headers();
    const origin = `${h.get("x-forwarded-proto") === "https" ? "https" : "http"}://${h.get("host") ?? "localhost"}`;
    return { done: `Invited ${inv.email}; the link works once, until ${inv.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC.`, link: `${origin}${invitationPath(inv.token)}` };
  });
}

export async function endAuditorAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:manage", async ({ db, engagement, by, fields }) => {
    await endAuditorAccess(db, by, engagement, parseId(fields.userId ?? "", "userId"));
    return "Access ended; the auditor's open sessions are refused from now on.";
  });
}

export async function drawSampleAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:audit", async ({ db, engagement, by, fields }) => {
    const s = await drawEngagementSample(db, by, engagement, parseDraw(fields));
    return `Draw ${s.drawNo}: ${s.size} of ${s.populationSize} changes, seed ${s.seed}.`;
  });
}

export async function raiseRequestAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:audit", async ({ db, engagement, by, fields }) => {
    const r = await raiseRequest(db, by, engagement, parseRequest(fields));
    return `Request ${r.id} raised.`;
  });
}

export async function answerRequestAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:manage", async ({ db, engagement, by }) => {
    const { fields, files } = await formAnswer(form);
    const t = await answerRequest(db, by, engagement, parseId(fields.requestId ?? "", "requestId"), { body: messageText(fields, "body", false), files });
    return `Request ${t.id} answered${files.length > 0 ? ` with ${files.length} file${files.length === 1 ? "" : "s"}` : ""}.`;
  });
}

export async function resolveRequestAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:audit", async ({ db, engagement, by, fields }) => {
    const action = fields.action === "reopen" ? "reopen" : "accept";
    const t = await resolveRequest(db, by, engagement, parseId(fields.requestId ?? "", "requestId"), { action, note: messageText(fields, "note", false) });
    return `Request ${t.id} ${t.status}.`;
  });
}

export async function markTestAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:audit", async ({ db, engagement, by, fields }) => {
    const t = await markTest(db, by, engagement, (fields.changeId ?? "").slice(0, 300), parseMark(fields));
    return `${t.changeId}: ${t.result}.`;
  });
}

export async function closeEngagementAction(_prev: FormState, form: FormData): Promise<FormState> {
  return step(form, "engagements:audit", async ({ db, engagement, by, fields }) => {
    await closeEngagement(db, by, engagement, messageText(fields, "conclusion"));
    return "Signed off: the engagement is closed.";
  });
}
