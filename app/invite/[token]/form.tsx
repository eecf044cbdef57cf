"use client";

import { useActionState } from "react";
import { acceptInvitationAction, type InviteState } from "./actions";

export function AcceptForm({ token, email }: { token: string; email: string }) {
  const [state, action, pending] = useActionState<InviteState, FormData>(acceptInvitationAction, {});
  return (
    <form action={action} className="stack" aria-label="Accept the invitation">
      <input type="hidden" name="token" value={token} />
      <input type="hidden" name="username" value={email} autoComplete="username" />
      <label>Choose a password (12 characters or more)<input name="password" type="password" required minLength={12} autoComplete="new-password" /></label>
      <label>Repeat it<input name="confirmPassword" type="password" required minLength={12} autoComplete="new-password" /></label>
      <div role="alert" className="form-error">{state.error ?? null}</div>
      <button type="submit" disabled={pending}>Accept and open the engagement</button>
    </form>
  );
}
