"use client";

import { useActionState } from "react";
import { createUserAction, type CreateUserState } from "./actions";

const roles = ["admin", "compliance", "manager", "auditor"] as const;

export function CreateUserForm() {
  const [state, action, pending] = useActionState<CreateUserState, FormData>(createUserAction, {});
  return (
    <form action={action} className="stack" aria-labelledby="create-user">
      <h2 id="create-user">Add a user</h2>
      <div role="alert" className="form-error">
        {state.error ?? null}
      </div>
      {state.created ? (
        <p role="status">
          Created {state.created.email} ({state.created.role}).
          {state.created.password ? (
            <>
              {" "}
              Their password, shown once: <code>{state.created.password}</code>
            </>
          ) : null}
        </p>
      ) : null}
      <label htmlFor="user-email">Email</label>
      <input id="user-email" name="email" type="email" required />
      <label htmlFor="user-name">Name</label>
      <input id="user-name" name="name" type="text" />
      <label htmlFor="user-role">Role</label>
      <select id="user-role" name="role" defaultValue="auditor">
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <label htmlFor="user-password">Password (at least 12 characters; leave empty to generate one)</label>
      <input id="user-password" name="password" type="password" autoComplete="new-password" />
      <button type="submit" disabled={pending}>
        Add user
      </button>
    </form>
  );
}
