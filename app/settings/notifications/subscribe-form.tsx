"use client";

import { useActionState } from "react";
import { subscribeAction, type SubscribeState } from "./actions";

const topicLabels: Record<string, string> = {
  finding: "new findings",
  "gate-denial": "gate denials",
  "waiver-expiring": "waivers expiring within 7 days",
  incident: "incidents opened",
};

export function SubscribeForm({ topics }: { topics: readonly string[] }) {
  const [state, action, pending] = useActionState<SubscribeState, FormData>(subscribeAction, {});
  return (
    <form action={action} className="stack" aria-labelledby="add-target">
      <h2 id="add-target">Add a target</h2>
      <div role="alert" className="form-error">
        {state.error ?? null}
      </div>
      {state.created ? (
        <p role="status">
          Target &ldquo;{state.created.name}&rdquo; added.
          {state.created.signingSecret ? (
            <>
              {" "}
              Its signing secret, shown once, for your receiver&apos;s Standard Webhooks verifier: <code>{state.created.signingSecret}</code>
            </>
          ) : null}
        </p>
      ) : null}
      <label htmlFor="target-name">Name</label>
      <input id="target-name" name="name" type="text" required maxLength={100} placeholder="e.g. on-call pager" />
      <label htmlFor="target-kind">Kind</label>
      <select id="target-kind" name="kind" defaultValue="webhook">
        <option value="webhook">Webhook (signed per Standard Webhooks)</option>
        <option value="slack">Slack incoming webhook</option>
      </select>
      <label htmlFor="target-url">URL (https)</label>
      <input id="target-url" name="url" type="url" required placeholder="https://hooks.slack.com/services/…" />
      <fieldset>
        <legend>Tell about</legend>
        {topics.map((t) => (
          <label key={t}>
            <input type="checkbox" name="topics" value={t} defaultChecked={t === "finding"} /> {topicLabels[t] ?? t}
          </label>
        ))}
      </fieldset>
      <label htmlFor="target-severity">Findings at or above</label>
      <select id="target-severity" name="minSeverity" defaultValue="high">
        <option value="critical">critical</option>
        <option value="high">high</option>
        <option value="medium">medium</option>
        <option value="low">low</option>
      </select>
      <label htmlFor="target-environments">Environments (comma-separated; empty: all)</label>
      <input id="target-environments" name="environments" type="text" placeholder="production" />
      <button type="submit" disabled={pending}>
        Add target
      </button>
    </form>
  );
}
