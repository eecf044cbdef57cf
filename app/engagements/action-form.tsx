"use client";

import { useActionState, type ReactNode } from "react";
import type { FormState } from "./form-state";

/** A form bound to one server action, showing its refusal or result where a screen reader announces it. */
export function ActionForm({ action, label, submit, children, className }: {
  action: (prev: FormState, form: FormData) => Promise<FormState>;
  label: string;
  submit: string;
  children: ReactNode;
  className?: string;
}) {
  const [state, formAction, pending] = useActionState<FormState, FormData>(action, {});
  return (
    <form action={formAction} className={className ?? "stack"} aria-label={label}>
      {children}
      <div role="alert" className="form-error">{state.error ?? null}</div>
      {state.done ? <p role="status">{state.done}</p> : null}
      {state.link ? <p><label>Invitation link (shown once; send it to the auditor)<input type="text" readOnly value={state.link} aria-label="Invitation link" /></label></p> : null}
      <button type="submit" disabled={pending}>{submit}</button>
    </form>
  );
}
