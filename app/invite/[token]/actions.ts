"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { SESSION_TTL_SECONDS, isLocalHttp, sessionCookieName } from "@/lib/auth/sessions";
import { getDb } from "@/lib/db";
import { acceptInvitation } from "@/lib/engagements/auditors";
import { AppError } from "@/lib/errors";
import { clientAddress } from "@/lib/http/client-address";
import { config } from "@/lib/config";
import { formProblem } from "@/lib/http/form-text";

export type InviteState = { error?: string };

/** Spends the one-time invitation: sets the auditor's password, signs them in, opens their engagement. */
export async function acceptInvitationAction(_prev: InviteState, form: FormData): Promise<InviteState> {
  const unstorable = formProblem(form);
  if (unstorable) return { error: unstorable };
  const token = String(form.get("token") ?? "");
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("confirmPassword") ?? "")) return { error: "the two passwords differ" };
  const h = await headers();
  const url = `${h.get("x-forwarded-proto") === "https" ? "https" : "http"}://${h.get("host") ?? "localhost"}/`;
  let engagementId: number;
  try {
    const s = await acceptInvitation(await getDb(), token, password, { ip: clientAddress(h, config().trustedProxies), userAgent: h.get("user-agent") });
    (await cookies()).set(sessionCookieName(url), s.cookieValue, { httpOnly: true, sameSite: "lax", path: "/", secure: !isLocalHttp(url), maxAge: SESSION_TTL_SECONDS });
    engagementId = s.engagementId;
  } catch (error) {
    if (error instanceof AppError) return { error: error.message };
    throw error;
  }
  redirect(`/engagements/${engagementId}`);
}
