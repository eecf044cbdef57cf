import { bundleFromJSON } from "@sigstore/bundle";
import { ByteStream, type X509Certificate } from "@sigstore/core";
import { Verifier, toSignedEntity } from "@sigstore/verify";
import { integratedTimeOf, statementOf, type StatementSubject } from "./bundle";
import { leafCertificateOf, signerIdentityOf, type SignerIdentity } from "./certificate";
import { rememberEncoding, type TrustRoots } from "./trust";

// @sigstore/core re-encodes ASN.1 through ByteStreams that grow by BLOCK_SIZE zero-filled bytes
// per node; 1 KiB per node made half of a verification's time allocation. A smaller block only
// changes how buffers grow, not what is encoded (scripts/bench/provenance.ts measures it).
(ByteStream as unknown as { BLOCK_SIZE: number }).BLOCK_SIZE = 64;

export type VerificationStatus = "verified" | "not-verified";

/** Why a bundle did not verify, in the words the deployment page shows after "not verified: ". */
export const notVerifiedReasons = {
  malformed: "malformed bundle",
  untrustedCa: "untrusted CA",
  signatureMismatch: "signature mismatch",
  logEntry: "log entry not proven",
  timestamp: "no trusted timestamp",
  certificate: "certificate not valid at the log time",
  publicKey: "unknown public key",
  subjectMismatch: "subject does not match the image digest",
  notProvenance: "not an in-toto statement",
} as const;

export interface LogEntry {
  logIndex: string;
  integratedTime: string | null;
  logId: string | null;
  kind: string | null;
}

/** The verdict of one bundle against one set of trusted roots; stored as the verification cache. */
export interface BundleVerification {
  status: VerificationStatus;
  /** Null when verified; else one of notVerifiedReasons. */
  reason: string | null;
  /** The library's error code and message, for the evidence (e.g. TLOG_BODY_ERROR). */
  errorCode: string | null;
  detail: string | null;
  bundleSha256: string;
  mediaType: string | null;
  predicateType: string | null;
  subjects: StatementSubject[];
  /** The builder id and source commit the predicate states (SLSA v1 or v0.2). */
  builderId: string | null;
  predicateCommit: string | null;
  /** Claims of the signing certificate; trusted only when `status` is verified. */
  signer: SignerIdentity | null;
  logEntry: LogEntry | null;
  /** The time the certificate's validity was judged at: the log's integrated time or a signed timestamp. */
  signedAt: string | null;
  trustFingerprint: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function logEntryOf(bundle: Record<string, unknown>): LogEntry | null {
  const vm = bundle.verificationMaterial;
  if (!isObject(vm) || !Array.isArray(vm.tlogEntries) || !isObject(vm.tlogEntries[0])) return null;
  const e = vm.tlogEntries[0];
  const at = integratedTimeOf(bundle);
  const kind = isObject(e.kindVersion) ? `${String(e.kindVersion.kind)} ${String(e.kindVersion.version)}` : null;
  return {
    logIndex: String(e.logIndex ?? ""),
    integratedTime: at?.toISOString() ?? null,
    logId: isObject(e.logId) && typeof e.logId.keyId === "string" ? e.logId.keyId : null,
    kind,
  };
}

function predicateFacts(predicate: Record<string, unknown> | null): { builderId: string | null; commit: string | null } {
  if (predicate === null) return { builderId: null, commit: null };
  const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), o);
  const builder = get(predicate, "runDetails", "builder", "id") ?? get(predicate, "builder", "id");
  const deps = (get(predicate, "buildDefinition", "resolvedDependencies") ?? get(predicate, "materials")) as unknown;
  let commit: string | null = null;
  if (Array.isArray(deps)) {
    for (const d of deps) {
      const c = get(d, "digest", "gitCommit") ?? get(d, "digest", "sha1");
      if (typeof c === "string") {
        commit = c;
        break;
      }
    }
  }
  return { builderId: typeof builder === "string" ? builder : null, commit };
}

/** Does any configured CA have the leaf's issuer as its subject? (Names only: diagnosis, not trust.) */
function issuerKnown(leaf: X509Certificate, trust: TrustRoots): boolean {
  return trust.material.certificateAuthorities.some((ca) => ca.certChain.some((c) => Buffer.from(c.subject).equals(Buffer.from(leaf.issuer))));
}

function reasonOf(code: string, leaf: X509Certificate | null, trust: TrustRoots): string {
  if (leaf !== null && !issuerKnown(leaf, trust)) return notVerifiedReasons.untrustedCa;
  switch (code) {
    case "SIGNATURE_ERROR":
    case "TLOG_BODY_ERROR":
      return notVerifiedReasons.signatureMismatch;
    case "CERTIFICATE_ERROR":
      return notVerifiedReasons.certificate;
    case "TIMESTAMP_ERROR":
      return notVerifiedReasons.timestamp;
    case "PUBLIC_KEY_ERROR":
      return notVerifiedReasons.publicKey;
    case "UNTRUSTED_SIGNER_ERROR":
      return notVerifiedReasons.untrustedCa;
    default:
      return notVerifiedReasons.logEntry;
  }
}

const verifiers = new WeakMap<TrustRoots, { withCt: Verifier; withoutCt: Verifier }>();

/** A CA from a root that lists no certificate-transparency logs (GitHub's instance) issues certificates without SCTs. */
function issuedWithoutCt(leaf: X509Certificate | null, trust: TrustRoots): boolean {
  if (leaf === null) return false;
  const issuer = Buffer.from(leaf.issuer);
  return trust.subjectsWithoutCt.some((s) => s.equals(issuer));
}

/**
 * Verifies a bundle offline with @sigstore/verify against the trusted roots: certificate chain to
 * a configured CA, validity at the log's integrated time (or a signed timestamp, never the clock
 * now), transparency-log inclusion, SCTs and the signature over the DSSE envelope. It does not
 * compare subjects with an image: `subjectMatches` does, per link.
 */
export function verifyBundle(bundle: Record<string, unknown>, sha256: string, trust: TrustRoots): BundleVerification {
  const statement = statementOf(bundle);
  const facts = predicateFacts(statement?.predicate ?? null);
  const leaf = leafCertificateOf(bundle);
  const logEntry = logEntryOf(bundle);
  const base = {
    bundleSha256: sha256,
    mediaType: typeof bundle.mediaType === "string" ? bundle.mediaType : null,
    predicateType: statement?.predicateType ?? null,
    subjects: statement?.subjects ?? [],
    builderId: facts.builderId,
    predicateCommit: facts.commit,
    signer: leaf ? signerIdentityOf(leaf) : null,
    logEntry,
    signedAt: logEntry?.integratedTime ?? null,
    trustFingerprint: trust.fingerprint,
  };
  const notVerified = (reason: string, errorCode: string | null, detail: string | null): BundleVerification => ({
    ...base,
    status: "not-verified",
    reason,
    errorCode,
    detail,
  });
  let parsed: ReturnType<typeof bundleFromJSON>;
  try {
    parsed = bundleFromJSON(bundle);
  } catch (error) {
    const fields = isObject(error) && Array.isArray(error.fields) ? ` (${(error.fields as unknown[]).join(", ")})` : "";
    return notVerified(notVerifiedReasons.malformed, "INVALID_BUNDLE", `${error instanceof Error ? error.message : String(error)}${fields}`);
  }
  let pair = verifiers.get(trust);
  if (!pair) {
    // At least one timestamp (a Rekor entry or a signed timestamp); every log entry present is checked.
    pair = {
      withCt: new Verifier(trust.material, { tlogThreshold: 0, ctlogThreshold: 1, timestampThreshold: 1 }),
      withoutCt: new Verifier(trust.material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 1 }),
    };
    verifiers.set(trust, pair);
  }
  try {
    const entity = toSignedEntity(parsed);
    if (entity.key.$case === "certificate") rememberEncoding(entity.key.certificate);
    (issuedWithoutCt(leaf, trust) ? pair.withoutCt : pair.withCt).verify(entity);
  } catch (error) {
    const code = isObject(error) && typeof error.code === "string" ? error.code : "VERIFICATION_ERROR";
    return notVerified(reasonOf(code, leaf, trust), code, error instanceof Error ? error.message : String(error));
  }
  if (statement === null) return notVerified(notVerifiedReasons.notProvenance, null, "the bundle's payload is not an in-toto statement, so it names no subject");
  return { ...base, status: "verified", reason: null, errorCode: null, detail: null };
}

/** Whether the statement names `digest` (`sha256:…`) among its subjects. */
export function subjectMatches(v: Pick<BundleVerification, "subjects">, digest: string): boolean {
  const d = digest.toLowerCase();
  return v.subjects.some((s) => s.digests.includes(d));
}
