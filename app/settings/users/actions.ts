"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import { createUser } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";

export type CreateUserState = { error?: string; created?: { email: string; role: string; password: string | null } };

export async function createUserAction(_prev: CreateUserState, form: FormData): Promise<CreateUserState> {
  const admin = await requireUser("users:manage", "/settings/users");
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
