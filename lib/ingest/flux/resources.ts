import { AppError, describeIssues } from "../../errors";
import { type CustodyEvent, custodyEvent } from "../../events/schema";
import { name, time } from "../github/values";
import { isObject, type JsonObject, nonEmptyString } from "../kubernetes/json-guards";

const reconciled = new Set(["Kustomization", "HelmRelease"]);

/**
 * `kubectl get kustomizations.kustomize.toolkit.fluxcd.io,helmreleases.helm.toolkit.fluxcd.io -A -o json`
 * -> a `gitops_status` per object: `status.lastAppliedRevision`, `spec.suspend`, the Ready condition.
 */
export function fluxResourcesToEvents(input: unknown, opts: { environment: string; observedAt: string }): { events: CustodyEvent[]; notes: string[] } {
  if (!isObject(input)) throw new AppError("VALIDATION", "input: expected the JSON of kubectl get kustomizations,helmreleases -A -o json");
  const items: unknown[] = Array.isArray(input.items) ? input.items : [input];
  const events: CustodyEvent[] = [];
  const notes: string[] = [];
  for (const item of items) {
    if (!isObject(item) || typeof item.kind !== "string" || !reconciled.has(item.kind)) continue;
    const meta: JsonObject = isObject(item.metadata) ? item.metadata : {};
    const spec: JsonObject = isObject(item.spec) ? item.spec : {};
    const status: JsonObject = isObject(item.status) ? item.status : {};
    const ready = (Array.isArray(status.conditions) ? status.conditions : []).find((c): c is JsonObject => isObject(c) && c.type === "Ready");
    const namespace = name(meta.namespace) ?? "flux-system";
    const objectName = name(meta.name) ?? "";
    const parsed = custodyEvent.safeParse({
      id: `flux:${opts.environment}:${namespace}/${item.kind}/${objectName}:status:${opts.observedAt}`,
      type: "gitops_status",
      occurredAt: opts.observedAt,
      environment: opts.environment,
      tool: "flux",
      namespace,
      kind: item.kind,
      name: objectName,
      service: name(isObject(meta.labels) ? meta.labels["app.kubernetes.io/name"] : undefined) ?? (objectName || undefined),
      revision: (nonEmptyString(status.lastAppliedRevision) ?? nonEmptyString(status.lastAttemptedRevision))?.slice(0, 300),
      health: ready ? (ready.status === "True" ? "Ready" : `NotReady: ${String(ready.reason ?? "")}`.slice(0, 50)) : undefined,
      suspended: spec.suspend === true,
      lastSync: ready && time(ready.lastTransitionTime) ? { automated: true, at: time(ready.lastTransitionTime) } : undefined,
      message: ready ? nonEmptyString(ready.message)?.slice(0, 5000) : undefined,
    });
    if (parsed.success) events.push(parsed.data);
    else notes.push(`${item.kind} ${namespace}/${objectName} left out: ${describeIssues(parsed.error.issues)}`);
  }
  return { events, notes };
}
