"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createSubscription } from "@/lib/notifications/targets";
import { formProblem } from "@/lib/http/form-text";

export type SubscribeState = { error?: string; created?: { name: string; signingSecret: string | null } };

export async function subscribeAction(_prev: SubscribeState, form: FormData): Promise<SubscribeState> {
  const admin = await requireUser("settings:manage", "/settings/notifications");
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const field = (k: string) => (typeof form.get(k) === "string" ? String(form.get(k)).trim() : "");
  try {
    const created = await createSubscription(
      await getDb(),
      {
        name: field("name"),
        kind: field("kind"),
        url: field("url"),
        topics: form.getAll("topics").map(String),
        minSeverity: field("minSeverity") || "low",
        environments: field("environments").split(",").map((e) => e.trim()).filter((e) => e !== ""),
      },
      await actorOf(admin),
    );
    revalidatePath("/settings/notifications");
    return { created: { name: created.subscription.name, signingSecret: created.signingSecret } };
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}
