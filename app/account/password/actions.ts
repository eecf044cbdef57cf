"use server";

import { redirect } from "next/navigation";
import { actorOf, PASSWORD_PAGE, requireUser } from "@/lib/auth/current-user";
import { changeOwnPassword } from "@/lib/auth/user-admin";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formProblem } from "@/lib/http/form-text";

export type ChangePasswordState = { error?: string };

/** Any signed-in person may change their own password; after an admin's reset they must. */
export async function changePasswordAction(_prev: ChangePasswordState, form: FormData): Promise<ChangePasswordState> {
  const user = await requireUser("evidence:read", PASSWORD_PAGE);
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const field = (k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");
  if (field("newPassword") !== field("confirmPassword")) return { error: "The two new passwords differ." };
  try {
    await changeOwnPassword(await getDb(), await actorOf(user), user.id, field("currentPassword"), field("newPassword"));
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
  redirect("/");
}
