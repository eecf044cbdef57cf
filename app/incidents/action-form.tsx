"use client";

import { useActionState, type ReactNode } from "react";
import type { FormState } from "./actions";

/** A form bound to one server action, showing its refusal or confirmation where a screen reader announces it. */
export function ActionForm({ action, label, submit, children }: {
  action: (prev: FormState, form: FormData) => Promise<FormState>;
  label: string;
  submit: string;
  children: ReactNode;
}) {
  const [state, formAction, pending] = useActionState<FormState, FormData>(action, {});
  return (
    <form action={formAction} className="stack" aria-label={label}>
      {children}
      <div role="alert" className="form-error">{state.error ?? null}</div>
      {state.done ? <p role="status">{state.done}</p> : null}
      <button type="submit" disabled={pending}>{submit}</button>
    </form>
  );
}
