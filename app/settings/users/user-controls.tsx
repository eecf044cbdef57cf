"use client";

import { useActionState } from "react";
import { manageUserAction, type UserActionState } from "./actions";

const roles = ["admin", "compliance", "manager", "auditor"] as const;

/** Role, disable/enable, sign out everywhere and password reset for one person. */
export function UserControls({ id, email, role, disabled, password }: { id: number; email: string; role: string; disabled: boolean; password: boolean }) {
  const [state, action, pending] = useActionState<UserActionState, FormData>(manageUserAction, {});
  return (
    <form action={action} className="inline-controls" aria-label={`Manage ${email}`}>
      <input type="hidden" name="id" value={id} />
      <label htmlFor={`role-${id}`} className="sr-only">Role of {email}</label>
      <select id={`role-${id}`} name="role" defaultValue={role}>
        {roles.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      <button type="submit" name="op" value="role" disabled={pending}>Change role</button>
      <button type="submit" name="op" value={disabled ? "enable" : "disable"} disabled={pending}>{disabled ? "Enable" : "Disable"}</button>
      <button type="submit" name="op" value="sessions" disabled={pending}>Sign out everywhere</button>
      {password ? <button type="submit" name="op" value="reset" disabled={pending}>Reset password</button> : null}
      <span role="status">
        {state.error ? <span className="form-error">{state.error}</span> : state.done}
        {state.oneTimePassword ? <> One-time password, shown once: <code>{state.oneTimePassword}</code></> : null}
      </span>
    </form>
  );
}
