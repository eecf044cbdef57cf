"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { addStep, closeIncident, updateIncident } from "@/lib/incidents/edit";
import { openIncident } from "@/lib/incidents/open";
import { formProblem } from "@/lib/http/form-text";

export type FormState = { error?: string; done?: string };

const field = (form: FormData, name: string) => (typeof form.get(name) === "string" ? String(form.get(name)) : "");
const idOf = (form: FormData) => (/^\d{1,15}$/.test(field(form, "id")) ? Number(field(form, "id")) : 0);

async function run(path: string, done: string, fn: () => Promise<unknown>): Promise<FormState> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
  revalidatePath(path);
  return { done };
}

export async function openIncidentAction(_prev: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser("incidents:write", "/incidents/new");
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  let id = 0;
  const state = await run("/incidents", "opened", async () => {
    const findingIds = form.getAll("findingIds").map(String).filter((v) => /^\d{1,15}$/.test(v)).map(Number);
    id = (await openIncident(await getDb(), await actorOf(user), {
      title: field(form, "title"), owner: field(form, "owner"), environment: field(form, "environment"), findingIds,
    })).id;
  });
  if (state.error) return state;
  redirect(`/incidents/${id}`);
}

export async function updateIncidentAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = idOf(form);
  const user = await requireUser("incidents:write", `/incidents/${id}`);
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const given = (name: string) => (form.has(name) ? field(form, name) : undefined);
  const fix = given("fixDeploymentKey");
  return run(`/incidents/${id}`, "Saved", async () => updateIncident(await getDb(), await actorOf(user), id, {
    owner: given("owner"), rootCause: given("rootCause"), correctiveAction: given("correctiveAction"),
    ...(fix === undefined ? {} : { fixDeploymentKey: fix === "" ? null : fix }),
  }));
}

export async function addStepAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = idOf(form);
  const user = await requireUser("incidents:write", `/incidents/${id}`);
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const references = field(form, "evidence").split("\n").map((l) => l.trim()).filter(Boolean);
  return run(`/incidents/${id}`, `Step ${field(form, "step")} recorded`, async () =>
    addStep(await getDb(), await actorOf(user), id, { step: field(form, "step"), notes: field(form, "notes"), evidence: references.length > 0 ? { references } : null }),
  );
}

export async function closeIncidentAction(_prev: FormState, form: FormData): Promise<FormState> {
  const id = idOf(form);
  const user = await requireUser("incidents:write", `/incidents/${id}`);
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  return run(`/incidents/${id}`, "Incident closed", async () => closeIncident(await getDb(), await actorOf(user), id));
}
