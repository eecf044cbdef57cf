import { createHash } from "node:crypto";
import { isObject } from "./json-guards";

/**
 * The content hash of a ConfigMap's or Secret's data, computed where the data is (the CLI), so
 * that no value ever reaches Custody: sha256 over the object's identity and its keys and values
 * in key order. The identity is part of it so that equal low-entropy values in two Secrets do not
 * hash alike (one look-up table cannot serve every object).
 */
export function configDataHash(kind: "ConfigMap" | "Secret", namespace: string, name: string, item: Record<string, unknown>): { hash: string; keys: number } {
  const h = createHash("sha256");
  h.update(`custody-config-v1\u0000${kind}\u0000${namespace}\u0000${name}\u0000`);
  let keys = 0;
  // Secret `stringData` is write-only (the API server folds it into `data`), but a file may carry it.
  for (const field of ["data", "binaryData", "stringData"] as const) {
    const map = item[field];
    if (!isObject(map)) continue;
    for (const key of Object.keys(map).sort()) {
      const value = map[key];
      h.update(`${field}\u0000${key}\u0000${typeof value === "string" ? value : JSON.stringify(value)}\u0000`);
      keys += 1;
    }
  }
  return { hash: `sha256:${h.digest("hex")}`, keys };
}
