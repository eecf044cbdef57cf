import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type WebhookDefinition } from "@octokit/webhooks-examples";
import { type WebhookEventMap, type WebhookEventName } from "@octokit/webhooks-types";
import { type CustodyEvent, type CustodyEventType, type EventOf } from "../../events/schema";
import { type GithubMapping } from "./index";

/**
 * GitHub's own example deliveries from @octokit/webhooks-examples, for tests: github.com's set
 * and every GitHub Enterprise Server set the package ships.
 */
export interface Example<N extends WebhookEventName> {
  label: string;
  payload: WebhookEventMap[N];
}

const root = path.dirname(createRequire(import.meta.url).resolve("@octokit/webhooks-examples/package.json"));

const sets = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({
    source: entry.name,
    definitions: JSON.parse(readFileSync(path.join(root, entry.name, "index.json"), "utf8")) as WebhookDefinition[],
  }));

export function examplesOf<N extends WebhookEventName>(name: N): Example<N>[] {
  return sets.flatMap(({ source, definitions }) =>
    definitions
      .filter((definition) => definition.name === name)
      .flatMap((definition) =>
        (definition.examples as WebhookEventMap[N][]).map((payload, index) => ({
          label: `${source} ${name}#${index}${"action" in payload ? ` (${String(payload.action)})` : ""}`,
          payload,
        })),
      ),
  );
}

/** The first example matching `predicate`, as a private copy a test may change. */
export function exampleOf<N extends WebhookEventName>(name: N, predicate: (payload: WebhookEventMap[N]) => boolean = () => true): WebhookEventMap[N] {
  const found = examplesOf(name).find((example) => predicate(example.payload));
  if (found === undefined) throw new Error(`no ${name} example matches`);
  return structuredClone(found.payload);
}

export function eventsOf(mapping: GithubMapping): CustodyEvent[] {
  if (mapping.status !== "used") throw new Error(`expected events, got not-used: ${mapping.reason}`);
  return mapping.events;
}

/** The one event of `type` in a mapping. */
export function oneOf<T extends CustodyEventType>(mapping: GithubMapping, type: T): EventOf<T> {
  const matching = eventsOf(mapping).filter((e): e is EventOf<T> => e.type === type);
  const event = matching[0];
  if (matching.length !== 1 || event === undefined) throw new Error(`expected one ${type} event, got ${matching.length}`);
  return event;
}
