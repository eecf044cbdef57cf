"use server";

import { revalidatePath } from "next/cache";
import { actorOf, requireUser } from "@/lib/auth/current-user";
import { issueToken, revokeTokenAs } from "@/lib/auth/token-admin";
import { parseExpiry, parseTokenLimits } from "@/lib/auth/token-scope";
import { parseScopes } from "@/lib/auth/tokens";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formProblem } from "@/lib/http/form-text";

export type IssueTokenState = { error?: string; issued?: { name: string; scopes: string[]; token: string } };

export async function issueTokenAction(_prev: IssueTokenState, form: FormData): Promise<IssueTokenState> {
  const admin = await requireUser("tokens:manage", "/settings/tokens");
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  try {
    const scopes = parseScopes(form.getAll("scopes").map(String).join(","));
    const field = (k: string) => (typeof form.get(k) === "string" ? String(form.get(k)) : "");
    const limits = parseTokenLimits({ types: form.getAll("types").map(String).join(","), repositories: field("repositories"), environments: field("environments") });
    const expiresAt = parseExpiry(field("expires") || undefined);
    const created = await issueToken(await getDb(), await actorOf(admin), { name: field("name"), scopes, limits, expiresAt });
    revalidatePath("/settings/tokens");
    return { issued: { name: created.name, scopes: created.scopes, token: created.token } };
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
}

export async function revokeTokenAction(form: FormData): Promise<void> {
  const admin = await requireUser("tokens:manage", "/settings/tokens");
  const id = Number(form.get("id"));
  if (!Number.isInteger(id) || id <= 0) return;
  try {
    await revokeTokenAs(await getDb(), await actorOf(admin), id);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "NOT_FOUND")) throw error;
  }
  revalidatePath("/settings/tokens");
}
