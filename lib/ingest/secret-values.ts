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
    const where = findSecretValues(event, batch ? `events.${i}` : "snapshot", 0);
    if (where !== null) {
      throw new AppError(
        "VALIDATION",
        `${where}: carries Secret values; a snapshot holds only the hash of a Secret's data (custody snapshot k8s computes it in the cluster). Nothing was stored.`,
      );
    }
  });
}

function findSecretValues(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findSecretValues(value[i], `${path}.${i}`, depth + 1);
      if (hit !== null) return hit;
    }
    return null;
  }
  if (!isObject(value)) return null;
  const secretLike = value.kind === "Secret" || path.includes(".configs.");
  if (secretLike && VALUE_FIELDS.some((f) => f in value)) return path;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "object" || v === null) continue;
    const hit = findSecretValues(v, `${path}.${k}`, depth + 1);
    if (hit !== null) return hit;
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
