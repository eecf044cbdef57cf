import { describeIssues, validation } from "@/lib/errors";
import { type EventOf, snapshotEvent } from "@/lib/events/schema";
import { sortObjects } from "./cluster-objects";
import { isObject } from "./json-guards";
import { podsToSnapshot, type PodsToSnapshotOptions } from "./pods-to-snapshot";

/**
 * Turns `kubectl get pods,deploy,sts,ds,cronjob,job,cm,secret -A -o json` (any subset of those
 * kinds, and others) into one snapshot event: pods as workloads (podsToSnapshot), controllers with
 * their field managers and config references, ConfigMaps and Secrets as hashes of their data, and
 * the identity of any other object. Runs in the CLI: Secret values never leave this process.
 */
export function clusterSnapshot(input: unknown, opts: PodsToSnapshotOptions): EventOf<"snapshot"> {
  if (!isObject(input)) throw validation("expected the output of kubectl get ... -A -o json (kind: List); got no JSON object");
  if (!Array.isArray(input.items)) throw validation("items must be an array of Kubernetes objects");
  const { pods, controllers, configs, otherObjects } = sortObjects(input.items);
  const fromPods = podsToSnapshot({ ...input, kind: input.kind === "PodList" ? "PodList" : "List", items: pods }, opts);
  const parsed = snapshotEvent.safeParse({
    ...fromPods,
    ...(controllers.length > 0 ? { controllers } : {}),
    ...(configs.length > 0 ? { configs } : {}),
    ...(otherObjects.length > 0 ? { otherObjects } : {}),
  });
  if (!parsed.success) throw validation(`snapshot: ${describeIssues(parsed.error.issues)}`, parsed.error.issues);
  return parsed.data;
}
