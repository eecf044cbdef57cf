const CUSTODY_CONFIG_HASH = "custody.dev/config-hash";
// Helm charts conventionally roll pods on config change with these annotations.
const CHECKSUM_ANNOTATIONS = ["checksum/config", "checksum/configmap", "checksum/secret"] as const;
const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** The pod's config hash: Custody's own annotation, else the Helm checksums joined with ",". */
export function configHashOf(annotations: Record<string, string>): string | null {
  const own = annotations[CUSTODY_CONFIG_HASH];
  if (own) return own;
  const checksums = CHECKSUM_ANNOTATIONS.map((key) => annotations[key]).filter((v): v is string => Boolean(v));
  return checksums.length > 0 ? checksums.join(",") : null;
}

/** Set when `kubectl apply` (client side) wrote the object, which leaves this annotation behind. */
export function lastAppliedByOf(annotations: Record<string, string>): string | undefined {
  return LAST_APPLIED in annotations ? "kubectl-client-side-apply" : undefined;
}
