import fc from "fast-check";

/** Replaces one value anywhere in a JSON tree: the kind of damage a broken producer does. */
export const mutated = (base: unknown) =>
  fc.tuple(fc.nat(), fc.jsonValue()).map(([pick, replacement]) => {
    const copy = structuredClone(base) as Record<string, unknown>;
    const paths: Array<[Record<string, unknown>, string]> = [];
    const walk = (node: unknown) => {
      if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
          paths.push([node as Record<string, unknown>, k]);
          walk(v);
        }
      }
    };
    walk(copy);
    const target = paths[pick % Math.max(1, paths.length)];
    if (target) target[0][target[1]] = replacement;
    return copy;
  });
