import type { DriftOutcome, ObservedContainer } from "../policy/drift";

/** `<environment>/<namespace>/<kind>/<name>/<container>`: one workload container in one environment. */
export function workloadSubject(o: Pick<ObservedContainer, "environment" | "namespace" | "kind" | "name" | "container">): string {
  return `${o.environment}/${o.namespace}/${o.kind}/${o.name}/${o.container}`;
}

/** Registry retention is a fact about a service, whatever environment shows it. */
export function serviceSubject(service: string): string {
  return `service/${service}`;
}

export function subjectOf(outcome: DriftOutcome, o: ObservedContainer): string {
  if (outcome.ruleId === "drift.rollback-gap") return serviceSubject(String(outcome.evidence.service ?? o.service ?? o.name));
  return workloadSubject(o);
}

/** An exec finding is about a person in a pod: repeated sessions by the same person are one finding. */
export function execSubject(environment: string, namespace: string | null, pod: string | null, username: string): string {
  return `${environment}/${namespace ?? "-"}/Pod/${pod ?? "-"}/exec/${username}`;
}

/** A controller as a whole (`…/<name>:controller`; ":" never occurs in Kubernetes names), apart from its containers' subjects. */
export function controllerSubject(o: { environment: string; namespace: string; kind: string; name: string }): string {
  return `${o.environment}/${o.namespace}/${o.kind}/${o.name}:controller`;
}

export function isControllerSubject(subjectKey: string): boolean {
  return subjectKey.endsWith(":controller");
}

/**
 * What a drift finding is about, as a reader says it: two findings of one rule on one workload (its
 * controller and one of its containers, say) read apart. The environment is shown beside it.
 */
export function subjectLabel(subjectKey: string): string {
  if (isControllerSubject(subjectKey)) {
    const [, namespace, kind, ...name] = subjectKey.slice(0, -":controller".length).split("/");
    if (namespace && kind && name.length > 0) return `${kind} ${namespace}/${name.join("/")} (the controller)`;
    return subjectKey;
  }
  const parts = subjectKey.split("/");
  if (parts[0] === "service" && parts.length > 1) return `service ${parts.slice(1).join("/")}`;
  // A username may hold "/" (an OpenID Connect subject URL); Kubernetes names never do.
  if (parts.length >= 6 && parts[2] === "Pod" && parts[4] === "exec") return `Pod ${parts[1]}/${parts[3]}, a shell opened by ${parts.slice(5).join("/")}`;
  if (parts.length === 5) return `${parts[2]} ${parts[1]}/${parts[3]}, container ${parts[4]}`;
  return subjectKey;
}
