const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The OCI digest in a container status `imageID`, or null when there is none (a pod still pulling
 * reports ""). Accepts `docker-pullable://repo@sha256:…`, `repo@sha256:…` and a bare `sha256:…`.
 * A bare `sha256:…` (containerd, or `docker://sha256:…`) is the local image id, not a registry
 * digest: kept, because an image loaded onto the node by hand is exactly what drift must see.
 */
export function digestFromImageId(imageId: unknown): string | null {
  if (typeof imageId !== "string") return null;
  const at = imageId.lastIndexOf("@");
  const candidate = at >= 0 ? imageId.slice(at + 1) : imageId.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  return DIGEST.test(candidate) ? candidate : null;
}
