"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { approveWaiverRequest, extendWaiver, requestWaiver, revokeWaiver } from "@/lib/findings/waivers";
import { formProblem } from "@/lib/http/form-text";

export type WaiverFormState = { error?: string; done?: string };

const field = (form: FormData, k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");
const num = (form: FormData, k: string) => (/^\d{1,15}$/.test(field(form, k)) ? Number(field(form, k)) : 0);
/** A date input (YYYY-MM-DD) means the end of that day, UTC. */
const endOfDay = (v: string) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T23:59:59Z` : v);

/** Request, approve, extend or revoke a waiver from the finding page; lib/findings/waivers.ts enforces two people and writes the audit log. */
export async function waiverAction(_prev: WaiverFormState, form: FormData): Promise<WaiverFormState> {
  const findingId = num(form, "findingId");
  const user = await requireUser("findings:waive", `/findings/${findingId}`);
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const db = await getDb();
  const by = await actorOf(user);
  try {
    let done: string;
    switch (field(form, "op")) {
      case "request":
        await requestWaiver(db, findingId, by, { justification: field(form, "justification"), expiresAt: endOfDay(field(form, "expiresAt")) });
        done = "Waiver requested; someone else who may waive findings must approve it.";
        break;
      case "approve":
        await approveWaiverRequest(db, findingId, num(form, "requestId"), by);
        done = "Waiver approved; the finding is waived until it expires.";
        break;
      case "extend":
        await extendWaiver(db, findingId, num(form, "waiverId"), by, endOfDay(field(form, "expiresAt")));
        done = "Waiver extended.";
        break;
      case "revoke":
        await revokeWaiver(db, findingId, num(form, "waiverId"), by);
        done = "Waiver revoked.";
        break;
      default:
        return { error: "Unknown action." };
    }
    revalidatePath(`/findings/${findingId}`);
    return { done };
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}
