/**
 * Reading an `admission.k8s.io/v1` AdmissionReview as the API server sends it. Tolerant: anything
 * it cannot read is reported as a problem for the failure policy, never thrown past the webhook.
 */
export interface AdmissionRequest {
  uid: string;
  apiVersion: string;
  kind: string;
  resource: string;
  subResource: string | null;
  namespace: string;
  name: string;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  username: string;
  object: Record<string, unknown> | null;
  oldObject: Record<string, unknown> | null;
  /** A dry run (kubectl --dry-run=server): judged and answered, nothing recorded (sideEffects: NoneOnDryRun). */
  dryRun: boolean;
}

export type ParsedReview = { ok: true; request: AdmissionRequest } | { ok: false; uid: string; apiVersion: string; problem: string };

const obj = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const operations = ["CREATE", "UPDATE", "DELETE", "CONNECT"] as const;

export function parseReview(body: unknown): ParsedReview {
  const review = obj(body);
  const request = obj(review?.request);
  const uid = str(request?.uid) ?? "";
  const apiVersion = str(review?.apiVersion) ?? "admission.k8s.io/v1";
  const bad = (problem: string): ParsedReview => ({ ok: false, uid, apiVersion, problem });
  if (review === null) return bad("the body is not an AdmissionReview object");
  if (review.kind !== "AdmissionReview") return bad(`kind must be AdmissionReview, not ${JSON.stringify(review.kind ?? null)}`);
  if (apiVersion !== "admission.k8s.io/v1" && apiVersion !== "admission.k8s.io/v1beta1") return bad(`apiVersion ${apiVersion} is not admission.k8s.io/v1`);
  if (request === null) return bad("request is missing");
  if (uid === "") return bad("request.uid is missing");
  const operation = str(request.operation);
  if (operation === null || !(operations as readonly string[]).includes(operation)) return bad(`request.operation ${JSON.stringify(operation)} is not CREATE, UPDATE, DELETE or CONNECT`);
  const kind = str(obj(request.kind)?.kind);
  const resource = str(obj(request.resource)?.resource);
  if (kind === null || resource === null) return bad("request.kind.kind and request.resource.resource are required");
  return {
    ok: true,
    request: {
      uid,
      apiVersion,
      kind,
      resource,
      subResource: str(request.subResource) || null,
      namespace: str(request.namespace) ?? "",
      name: str(request.name) ?? str(obj(obj(request.object)?.metadata)?.name) ?? "",
      operation: operation as AdmissionRequest["operation"],
      username: str(obj(request.userInfo)?.username) ?? "unknown",
      object: obj(request.object),
      oldObject: obj(request.oldObject),
      dryRun: request.dryRun === true,
    },
  };
}

/** The pod template spec of a workload, wherever its kind keeps it. */
export function podSpecOf(kind: string, o: Record<string, unknown> | null): Record<string, unknown> | null {
  const spec = obj(o?.spec);
  switch (kind) {
    case "Pod":
      return spec;
    case "CronJob":
      return obj(obj(obj(obj(spec?.jobTemplate)?.spec)?.template)?.spec);
    default:
      return obj(obj(spec?.template)?.spec);
  }
}

export interface ContainerImage {
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  list: string;
  container: string;
  image: string;
}

/** Every container image of a pod spec: init, regular and ephemeral containers. */
export function imagesOf(podSpec: Record<string, unknown> | null): ContainerImage[] {
  const out: ContainerImage[] = [];
  for (const list of ["initContainers", "containers", "ephemeralContainers"]) {
    const containers = podSpec?.[list];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) {
      const image = str(obj(c)?.image);
      if (image !== null) out.push({ list, container: str(obj(c)?.name) ?? "?", image });
    }
  }
  return out;
}

/** The images a change introduces: all of them on CREATE, the ones not already in oldObject on UPDATE. */
export function newImages(r: AdmissionRequest): ContainerImage[] {
  const now = imagesOf(podSpecOf(r.kind, r.object));
  if (r.operation !== "UPDATE") return now;
  const before = new Set(imagesOf(podSpecOf(r.kind, r.oldObject)).map((i) => i.image));
  return now.filter((i) => !before.has(i.image));
}

const DIGEST = /@(sha256:[a-f0-9]{64})$/;
export const digestOfImage = (image: string): string | null => DIGEST.exec(image)?.[1] ?? null;

/** A Pod owned by a controller was admitted through its controller (whose change was judged). */
export function controllerOwned(o: Record<string, unknown> | null): boolean {
  const refs = obj(o?.metadata)?.ownerReferences;
  return Array.isArray(refs) && refs.some((ref) => obj(ref)?.controller === true);
}

export function annotation(o: Record<string, unknown> | null, key: string): string | null {
  return str(obj(obj(o?.metadata)?.annotations)?.[key]);
}
