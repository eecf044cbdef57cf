import { AppError } from "../errors";

const VALUE_FIELDS = ["data", "stringData", "binaryData"] as const;
const MAX_DEPTH = 12;

/**
 * Refuses a snapshot that carries a Secret's values rather than the hash of its data: the CLI
 * hashes them in the cluster, so values here mean a hand-made or foreign body. Runs before
 * anything is stored; the message names where, never what.
 */
export function refuseSecretValues(json: unknown): void {
  const batch = isObject(json) && Array.isArray(json.events);
  const events: unknown[] = batch ? (json.events as unknown[]) : [json];
  events.forEach((event, i) => {
    if (!isObject(event) || event.type !== "snapshot") return;
    const where = findSecretValues(event, batch ? ["events", String(i)] : ["snapshot"], false, 0);
    if (where !== null) {
      throw new AppError(
        "VALIDATION",
        `${where}: carries Secret values; a snapshot holds only the hash of a Secret's data (custody snapshot k8s computes it in the cluster). Nothing was stored.`,
      );
    }
  });
}

/**
 * Where the first object holding Secret values is: a `kind: Secret` object, or anything under a
 * `configs` list, with a `data`, `stringData` or `binaryData` field. The path is a stack of
 * segments joined only for the object reported (building a string per level cost ~130 ms on a
 * 6 MB snapshot); `inConfigs` says whether the joined path would contain `.configs.`.
 */
function findSecretValues(value: unknown, path: string[], inConfigs: boolean, depth: number): string | null {
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    const parentEndsInConfigs = endsInConfigs(path);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v !== "object" || v === null) continue;
      path.push(String(i));
      const hit = findSecretValues(v, path, inConfigs || parentEndsInConfigs, depth + 1);
      path.pop();
      if (hit !== null) return hit;
    }
    return null;
  }
  if (!isObject(value)) return null;
  if ((value.kind === "Secret" || inConfigs) && VALUE_FIELDS.some((f) => f in value)) return path.join(".");
  const parentEndsInConfigs = endsInConfigs(path);
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v !== "object" || v === null) continue;
    path.push(k);
    const hit = findSecretValues(v, path, inConfigs || parentEndsInConfigs || k.startsWith("configs.") || k.includes(".configs."), depth + 1);
    path.pop();
    if (hit !== null) return hit;
  }
  return null;
}

/** The joined path ends with `.configs` (the root segment alone never counts: it has no dot before it). */
function endsInConfigs(path: string[]): boolean {
  const last = path[path.length - 1];
  return last !== undefined && path.length > 1 && (last === "configs" || last.endsWith(".configs"));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
