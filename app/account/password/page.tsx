import type { Metadata } from "next";
import { PASSWORD_PAGE, requireUser } from "@/lib/auth/current-user";
import { ChangePasswordForm } from "./change-password-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Change password" };

export default async function ChangePasswordPage() {
  const user = await requireUser("evidence:read", PASSWORD_PAGE);
  return (
    <>
      <h1>Change password</h1>
      {user.mustChangePassword ? (
        <p role="note" className="notice">An admin reset your password. Choose a new one to continue.</p>
      ) : null}
      <ChangePasswordForm />
    </>
  );
}
