import { AppError } from "../../errors";
import { type CustodyEvent, custodyEvent, type EventOf } from "../../events/schema";
import { describeIssues } from "../../errors";
import { digest as digestOf, fullSha, name, time } from "../github/values";
import { isObject, type JsonObject, nonEmptyString } from "../kubernetes/json-guards";

export interface ArgocdOptions {
  environment: string;
  /** When the applications were read: the status's time. */
  observedAt: string;
}

const obj = (v: unknown): JsonObject => (isObject(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** `kubectl get applications.argoproj.io -A -o json` (a List) or one Application. */
export function applicationsOf(input: unknown): JsonObject[] {
  if (!isObject(input)) throw new AppError("VALIDATION", "input: expected the JSON of kubectl get applications.argoproj.io -A -o json");
  if (input.kind === "Application") return [input];
  if (!Array.isArray(input.items)) throw new AppError("VALIDATION", "items: expected a list of Argo CD Applications");
  return input.items.filter((i): i is JsonObject => isObject(i) && (i.kind === undefined || i.kind === "Application"));
}

/** Who started a sync: a person (`username`) or the automated policy. */
function initiator(v: unknown): { by?: string; automated: boolean } | undefined {
  const i = obj(v);
  if (i.automated === true) return { automated: true };
  const by = name(i.username);
  return by !== undefined ? { by, automated: false } : undefined;
}

/** Where a history entry's manifests came from, as written: `repo/path@revision` or `chart:version`. */
function sourceRef(source: JsonObject, revision: string): string {
  const repo = nonEmptyString(source.repoURL)?.replace(/\.git$/, "") ?? "unknown";
  const chart = nonEmptyString(source.chart);
  return (chart ? `${repo}/${chart}:${revision}` : `${repo}${source.path ? `/${String(source.path)}` : ""}@${revision}`).slice(0, 500);
}

/**
 * Argo CD Applications -> Custody events: a `deployment` per `status.history` entry (its revision,
 * time and who started it: a person's manual sync or `automated`) and a `gitops_status` per
 * application (sync status, sync policy, the last sync's initiator, `status.summary.images`).
 * Ids are deterministic, so sending the same applications twice records each history entry once.
 */
export function applicationsToEvents(input: unknown, opts: ArgocdOptions): { events: CustodyEvent[]; notes: string[] } {
  const events: CustodyEvent[] = [];
  const notes: string[] = [];
  const keep = (draft: Record<string, unknown>) => {
    const parsed = custodyEvent.safeParse(draft);
    if (parsed.success) events.push(parsed.data);
    else notes.push(`${String(draft.id)} left out: ${describeIssues(parsed.error.issues)}`);
  };
  for (const app of applicationsOf(input)) {
    const meta = obj(app.metadata);
    const appName = name(meta.name);
    const namespace = name(meta.namespace) ?? "argocd";
    if (appName === undefined) {
      notes.push("an Application without metadata.name was left out");
      continue;
    }
    const key = `argocd:${opts.environment}:${namespace}/${appName}`;
    const spec = obj(app.spec);
    const status = obj(app.status);
    const automatedPolicy = obj(spec.syncPolicy).automated;
    const automated = isObject(automatedPolicy) && automatedPolicy.enabled !== false;
    const operation = obj(status.operationState);
    const lastOperation = initiator(obj(operation.operation).initiatedBy);
    const lastRevision = nonEmptyString(obj(operation.syncResult).revision);
    const images = list(obj(status.summary).images).filter((i): i is string => typeof i === "string" && i.length > 0 && i.length <= 500);
    const history = list(status.history).filter(isObject);
    const newest = history[history.length - 1];

    history.forEach((entry, i) => {
      const revision = nonEmptyString(entry.revision) ?? "unknown";
      // History entries before Argo CD 2.11 carry no initiatedBy: the operation that made the newest one names its initiator.
      const who = initiator(entry.initiatedBy) ?? (entry === newest && (lastRevision === undefined || lastRevision === revision) ? lastOperation : undefined);
      const onlyImage = entry === newest && images.length === 1 ? images[0] : undefined;
      const imageRef = onlyImage ?? sourceRef(obj(entry.source), revision);
      keep({
        id: `${key}:history:${String(entry.id ?? i)}:${revision}`,
        type: "deployment",
        occurredAt: time(entry.deployedAt) ?? time(entry.deployStartedAt) ?? opts.observedAt,
        deploymentId: `${key}:history:${String(entry.id ?? i)}`,
        service: appName,
        environment: opts.environment,
        imageRef,
        digest: onlyImage ? digestOf(onlyImage.slice(onlyImage.lastIndexOf("@") + 1)) : undefined,
        manifestCommitSha: fullSha(revision),
        actor: who?.by ?? (who?.automated ? "argocd" : undefined),
        actorType: who === undefined || who.automated ? "pipeline" : "human",
        description: `Argo CD sync of ${namespace}/${appName} to ${revision}${who === undefined ? " (initiator not recorded: Argo CD before 2.11)" : who.automated ? " (automated)" : ` (manual sync by ${who.by ?? "?"})`}`,
        status: "success",
      });
    });

    const sync = obj(status.sync);
    const newestWho = newest ? initiator(newest.initiatedBy) : undefined;
    const last = lastOperation ?? newestWho;
    keep({
      id: `${key}:status:${opts.observedAt}`,
      type: "gitops_status",
      occurredAt: opts.observedAt,
      environment: opts.environment,
      tool: "argocd",
      namespace,
      kind: "Application",
      name: appName,
      service: appName,
      revision: nonEmptyString(sync.revision)?.slice(0, 300),
      syncStatus: nonEmptyString(sync.status)?.slice(0, 50),
      health: nonEmptyString(obj(status.health).status)?.slice(0, 50),
      automated,
      selfHeal: automated && isObject(automatedPolicy) && automatedPolicy.selfHeal === true,
      lastSync: last && {
        by: last.by,
        automated: last.automated,
        at: time(operation.finishedAt) ?? time(operation.startedAt) ?? (newest ? time(newest.deployedAt) : undefined),
        revision: (lastRevision ?? nonEmptyString(newest?.revision))?.slice(0, 300),
      },
      images: images.length > 0 ? images.slice(0, 200) : undefined,
    } satisfies Omit<EventOf<"gitops_status">, "lastSync"> & { lastSync?: unknown });
  }
  return { events, notes };
}
