/** The SLSA builder id in a provenance document (v0.2 `builder.id`, v1 `runDetails.builder.id`), if any. */
export function provenanceBuilderId(provenance: Record<string, unknown> | null | undefined): string | null {
  if (provenance === null || provenance === undefined) return null;
  const roots = [provenance, field(provenance, "predicate")];
  for (const root of roots) {
    const id = field(field(root, "builder"), "id") ?? field(field(field(root, "runDetails"), "builder"), "id");
    if (typeof id === "string" && id.length > 0) return id;
  }
  return null;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && key in value ? (value as Record<string, unknown>)[key] : undefined;
}

/** Returns the identity or `*` pattern that `builder` matches (case-insensitive), or null. */
export function matchingIdentity(builder: string, identities: readonly string[]): string | null {
  const subject = builder.trim().toLowerCase();
  for (const identity of identities) {
    const pattern = identity.trim().toLowerCase();
    if (!pattern.includes("*")) {
      if (pattern === subject) return identity;
      continue;
    }
    const source = pattern.split("*").map(escapeRegex).join(".*");
    if (new RegExp(`^${source}$`).test(subject)) return identity;
  }
  return null;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
