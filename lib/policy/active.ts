import { config } from "../config";
import { loadPolicy } from "./settings";
import type { Policy } from "./settings";

let cached: { file: string | undefined; policy: Policy } | undefined;

/**
 * The policy in force: the defaults with the overrides of `config().policyFile`, read once per
 * process (a changed file takes effect on restart, so one run never mixes two policy versions).
 */
export function activePolicy(): Policy {
  const file = config().policyFile;
  if (cached === undefined || cached.file !== file) cached = { file, policy: loadPolicy(file) };
  return cached.policy;
}
