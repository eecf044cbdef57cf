"use client";

import { useActionState } from "react";
import { issueTokenAction, type IssueTokenState } from "./actions";

/** `eventTypes` come from the server (lib/events/schema.ts), so the client bundle carries no schemas. */
export function IssueTokenForm({ eventTypes }: { eventTypes: readonly string[] }) {
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
        <label>
          <input type="checkbox" name="scopes" value="admission" /> admission (the Kubernetes admission webhook only)
        </label>
      </fieldset>
      <fieldset>
        <legend>Event types it may send (none ticked: any)</legend>
        {eventTypes.map((t) => (
          <label key={t}>
            <input type="checkbox" name="types" value={t} /> {t}
          </label>
        ))}
      </fieldset>
      <label htmlFor="token-repositories">Repositories (comma-separated, globs like acme/*; empty: any)</label>
      <input id="token-repositories" name="repositories" type="text" placeholder="acme/*" />
      <label htmlFor="token-environments">Environments (comma-separated; empty: any)</label>
      <input id="token-environments" name="environments" type="text" placeholder="staging, production" />
      <label htmlFor="token-expires">Expires (90d, 12h, or a date; empty: never)</label>
      <input id="token-expires" name="expires" type="text" placeholder="90d" />
      <button type="submit" disabled={pending}>
        Issue token
      </button>
    </form>
  );
}
