"use client";

import { useActionState } from "react";
import { issueTokenAction, type IssueTokenState } from "./actions";

export function IssueTokenForm() {
  const [state, action, pending] = useActionState<IssueTokenState, FormData>(issueTokenAction, {});
  return (
    <form action={action} className="stack" aria-labelledby="issue-token">
      <h2 id="issue-token">Issue a token</h2>
      <div role="alert" className="form-error">
        {state.error ?? null}
      </div>
      {state.issued ? (
        <p role="status">
          Token &ldquo;{state.issued.name}&rdquo; ({state.issued.scopes.join(", ")}), shown once, store it now:{" "}
          <code>{state.issued.token}</code>
        </p>
      ) : null}
      <label htmlFor="token-name">Name</label>
      <input id="token-name" name="name" type="text" required maxLength={100} placeholder="e.g. github-actions" />
      <fieldset>
        <legend>Scopes</legend>
        <label>
          <input type="checkbox" name="scopes" value="ingest" /> ingest (send events)
        </label>
        <label>
          <input type="checkbox" name="scopes" value="read" /> read (the read API and report exports)
        </label>
      </fieldset>
      <button type="submit" disabled={pending}>
        Issue token
      </button>
    </form>
  );
}
