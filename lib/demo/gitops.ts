import type { EventOf } from "@/lib/events/schema";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "./catalog";
import { iso, type Emit } from "./change-events";
import { HOUR, type Period } from "./plan";
import { demoScenarios, type GitopsDrift } from "./scenarios";

type Status = EventOf<"gitops_status">;

/**
 * What Argo CD and Flux say at the end of the period, as `custody snapshot argocd|flux` would send
 * it: every service is an Argo CD Application (automated, self-healing, synced by the controller),
 * except where a `gitops` scenario says otherwise; Flux reconciles the services' configuration.
 */
export function emitGitops({ ids }: Emit, period: Period): Status[] {
  const drift = new Map<string, GitopsDrift>();
  for (const s of demoScenarios) if (s.kind === "gitops") drift.set(s.service, s.gitops);
  const out: Status[] = [];
  const at = period.endMs - HOUR;
  for (const environment of DEMO_ENVIRONMENTS.filter((e) => e !== "development")) {
    for (const { name } of DEMO_SERVICES) {
      const kind = environment === "production" ? drift.get(name) : undefined;
      const manual = kind === "manual-sync";
      out.push({
        id: ids.event("gitops_status"), type: "gitops_status", occurredAt: iso(at), environment, tool: "argocd", namespace: "argocd", kind: "Application",
        name: `${name}-${environment}`, service: name, syncStatus: kind === "out-of-sync" ? "OutOfSync" : "Synced", health: "Healthy",
        automated: !manual, selfHeal: !manual,
        lastSync: manual ? { by: "frank@acme.com", automated: false, at: iso(at - 5 * HOUR) } : { automated: true, at: iso(at - 2 * HOUR) },
      });
      out.push({
        id: ids.event("gitops_status"), type: "gitops_status", occurredAt: iso(at), environment, tool: "flux", namespace: "flux-system", kind: "Kustomization",
        name: `${name}-config-${environment}`, service: name, suspended: kind === "suspended", health: "Ready", lastSync: { automated: true, at: iso(at - HOUR) },
      });
    }
  }
  return out;
}
