"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import { changeRole, disableUser, enableUser, resetPassword, revokeAllSessions } from "@/lib/auth/user-admin";
import { createUser } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formProblem } from "@/lib/http/form-text";

export type CreateUserState = { error?: string; created?: { email: string; role: string; password: string | null } };

export async function createUserAction(_prev: CreateUserState, form: FormData): Promise<CreateUserState> {
  const admin = await requireUser("users:manage", "/settings/users");
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const field = (k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");
  try {
    const { user, generatedPassword } = await createUser(await getDb(), await actorOf(admin), {
      email: field("email"),
      role: field("role"),
      name: field("name"),
      password: field("password") || null,
    });
    revalidatePath("/settings/users");
    return { created: { email: user.email, role: user.role, password: generatedPassword } };
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}

export type UserActionState = { error?: string; done?: string; oneTimePassword?: string };

/** One form posts `op` (role, disable, enable, sessions, reset) for one user; each is audit-logged in lib/auth/user-admin.ts. */
export async function manageUserAction(_prev: UserActionState, form: FormData): Promise<UserActionState> {
  const admin = await requireUser("users:manage", "/settings/users");
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const field = (k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");
  const db = await getDb();
  const by = await actorOf(admin);
  const id = field("id");
  try {
    let state: UserActionState;
    switch (field("op")) {
      case "role":
        state = { done: `Role changed to ${(await changeRole(db, by, id, field("role"))).role}.` };
        break;
      case "disable":
        await disableUser(db, by, id);
        state = { done: "Disabled; their sessions ended." };
        break;
      case "enable":
        await enableUser(db, by, id);
        state = { done: "Enabled." };
        break;
      case "sessions":
        state = { done: `${(await revokeAllSessions(db, by, id)).ended} session(s) ended.` };
        break;
      case "reset":
        state = { done: "Password reset; they must change it at their next sign-in.", oneTimePassword: (await resetPassword(db, by, id)).oneTimePassword };
        break;
      default:
        return { error: "Unknown action." };
    }
    revalidatePath("/settings/users");
    return state;
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}
