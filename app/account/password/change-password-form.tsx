"use client";

import { useActionState } from "react";
import { changePasswordAction, type ChangePasswordState } from "./actions";

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState<ChangePasswordState, FormData>(changePasswordAction, {});
  return (
    <form action={action} className="stack" aria-label="Change password">
      <div role="alert" className="form-error">
        {state.error ?? null}
      </div>
      <label htmlFor="current-password">Current (or one-time) password</label>
      <input id="current-password" name="currentPassword" type="password" autoComplete="current-password" required />
      <label htmlFor="new-password">New password (at least 12 characters)</label>
      <input id="new-password" name="newPassword" type="password" autoComplete="new-password" minLength={12} required />
      <label htmlFor="confirm-password">New password again</label>
      <input id="confirm-password" name="confirmPassword" type="password" autoComplete="new-password" minLength={12} required />
      <button type="submit" disabled={pending}>
        Change password
      </button>
    </form>
  );
}
