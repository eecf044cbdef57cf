import type { EventOf } from "@/lib/events/schema";
import { DEMO_NAMESPACE, imageRepositoryOf } from "./catalog";
import { iso, type Emit } from "./change-events";
import { DAY, HOUR, MINUTE, scenarioDay, type Period } from "./plan";
import { demoScenarios } from "./scenarios";

type Audit = EventOf<"k8s_audit">;
type Manager = { manager: string; operation: string; time: string };

/** A change made to a running workload outside the pipeline; applied to the observed state at `at`. */
export type DriftOp = {
  at: number;
  environment: string;
  service: string;
  digest?: string;
  image?: string;
  newConfig?: boolean;
  lastAppliedBy?: string;
  manager?: Manager;
  /** A controller created by hand, beside the deployed workloads (it runs no pod between its schedules). */
  controller?: { kind: string; image: string };
};

const KUBECTL = "kubectl/v1.30.2 (darwin/arm64) kubernetes/3c1e4b5";

function podName(service: string, digest: string): string {
  const h = digest.slice(7);
  return `${service}-${h.slice(0, 10)}-${h.slice(10, 15)}`;
}

/** Kubernetes audit records and the out-of-band workload changes they explain. */
export function emitDrift({ ids }: Emit, period: Period, runningAt: (environment: string, service: string) => string | undefined): { events: Audit[]; ops: DriftOp[] } {
  const events: Audit[] = [];
  const ops: DriftOp[] = [];
  const audit = (at: number, environment: string, username: string, verb: string, resource: string, name: string, subresource?: string) =>
    events.push({
      id: ids.event("k8s_audit"), type: "k8s_audit", occurredAt: iso(at), environment, auditId: ids.numeric("audit"), verb, username,
      resource, ...(subresource ? { subresource } : {}), namespace: DEMO_NAMESPACE, name, userAgent: KUBECTL,
    });
  const midnight = Math.floor(period.startMs / DAY) * DAY;

  // Someone debugging in staging: a person exec'ing outside production is allowed and must not be flagged.
  const stagingDay = midnight + Math.round(period.days * 0.5) * DAY + 15 * HOUR;
  audit(stagingDay, "staging", "heidi@acme.com", "create", "pods", podName("search", `sha256:${"5e".repeat(32)}`), "exec");

  for (const scenario of demoScenarios) {
    if (scenario.kind !== "drift") continue;
    const at = midnight + scenarioDay(period, scenario.at) * DAY + 14 * HOUR;
    const { service } = scenario;
    const time = iso(at);
    if (scenario.drift === "hot-patch") {
      audit(at - 25 * MINUTE, "production", "erin@acme.com", "create", "pods", podName(service, runningAt("production", service) ?? ids.digest()), "exec");
      audit(at, "production", "erin@acme.com", "patch", "deployments", service);
      const digest = ids.digest();
      ops.push({ at, environment: "production", service, digest, image: `${imageRepositoryOf(service)}@${digest}`, manager: { manager: "kubectl-edit", operation: "Update", time } });
    } else if (scenario.drift === "manual-apply") {
      audit(at, "production", "frank@acme.com", "patch", "deployments", service);
      ops.push({ at, environment: "production", service, lastAppliedBy: "kubectl-client-side-apply", manager: { manager: "kubectl-client-side-apply", operation: "Update", time } });
    } else if (scenario.drift === "unrecorded-workload") {
      audit(at, "production", "ivan@acme.com", "create", "cronjobs", service);
      ops.push({ at, environment: "production", service, controller: { kind: "CronJob", image: `${imageRepositoryOf("accounts")}:nightly-export` } });
    } else {
      audit(at, "production", "grace@acme.com", "update", "configmaps", `${service}-config`);
      ops.push({ at, environment: "production", service, newConfig: true });
    }
  }
  return { events, ops };
}
