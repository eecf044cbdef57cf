import { ASN1Obj, X509Certificate } from "@sigstore/core";

/**
 * What a Fulcio signing certificate says about who signed: its subject alternative name and the
 * Sigstore extensions (OID 1.3.6.1.4.1.57264.1.*). Parsing only: whether the certificate is
 * trusted is decided by @sigstore/verify; these are claims until then.
 */
export interface SignerIdentity {
  /** The certificate's SAN, e.g. `https://github.com/o/r/.github/workflows/build.yml@refs/heads/main`. */
  subjectAlternativeName: string | null;
  issuer: string | null;
  /** `owner/name` of the source repository. */
  repository: string | null;
  /** The workflow file, e.g. `.github/workflows/build.yml`, and the ref it ran from. */
  workflowPath: string | null;
  workflowRef: string | null;
  /** The commit the build ran on (Source Repository Digest) and the ref (Source Repository Ref). */
  sourceCommit: string | null;
  sourceRef: string | null;
  /** `github-hosted` or `self-hosted`. */
  runnerEnvironment: string | null;
  /** Link to the pipeline run (Run Invocation URI). */
  runUrl: string | null;
  buildTrigger: string | null;
  buildSignerUri: string | null;
  repositoryVisibility: string | null;
  /** Every Sigstore extension present, by OID, decoded to text. */
  extensions: Record<string, string>;
  notBefore: string | null;
  notAfter: string | null;
  /** The issuing CA's distinguished name, readable (for "untrusted CA" explanations). */
  issuerName: string | null;
}

const FULCIO = "1.3.6.1.4.1.57264.1.";

/** Extensions .1 to .6 hold raw strings; .8 onwards hold DER UTF8Strings. */
function decodeExtension(oid: string, value: Buffer): string {
  const n = Number(oid.slice(FULCIO.length));
  if (n >= 8) {
    try {
      return ASN1Obj.parseBuffer(value as Buffer<ArrayBuffer>).value.toString("utf8");
    } catch {
      return value.toString("utf8");
    }
  }
  return value.toString("utf8");
}

function oidOf(ext: ASN1Obj): string | null {
  try {
    return ext.subs[0]?.toOID() ?? null;
  } catch {
    return null;
  }
}

/** `https://github.com/o/r` → `o/r` (any host; the path is owner/name). */
function repositoryOfUri(uri: string | undefined): string | null {
  if (!uri) return null;
  const m = /^https?:\/\/[^/]+\/([^/]+\/[^/@]+?)(?:\.git)?\/?$/.exec(uri);
  return m?.[1] ?? null;
}

/** `https://github.com/o/r/.github/workflows/x.yml@refs/heads/main` → path and ref. */
function workflowOf(uri: string | null): { repository: string | null; path: string | null; ref: string | null } {
  if (!uri) return { repository: null, path: null, ref: null };
  const m = /^https?:\/\/[^/]+\/([^/]+\/[^/]+)\/(.+?)@(.+)$/.exec(uri);
  return m ? { repository: m[1] ?? null, path: m[2] ?? null, ref: m[3] ?? null } : { repository: null, path: null, ref: null };
}

/** A readable one-line form of a DER-encoded X.500 name: the printable runs of its attribute values. */
function readableName(der: Buffer): string | null {
  try {
    const parts: string[] = [];
    const walk = (o: ASN1Obj) => {
      if (o.subs.length === 0) {
        if ([0x0c, 0x13, 0x16].includes(o.tag.number)) parts.push(o.value.toString("utf8"));
        return;
      }
      o.subs.forEach(walk);
    };
    walk(ASN1Obj.parseBuffer(der as Buffer<ArrayBuffer>));
    return parts.length > 0 ? parts.join(", ") : null;
  } catch {
    return null;
  }
}

export function leafCertificateOf(bundle: Record<string, unknown>): X509Certificate | null {
  const vm = bundle.verificationMaterial as Record<string, unknown> | undefined;
  const single = (vm?.certificate as { rawBytes?: unknown } | undefined)?.rawBytes;
  const chain = (vm?.x509CertificateChain as { certificates?: { rawBytes?: unknown }[] } | undefined)?.certificates?.[0]?.rawBytes;
  const raw = typeof single === "string" ? single : typeof chain === "string" ? chain : null;
  if (raw === null) return null;
  try {
    return X509Certificate.parse(Buffer.from(raw, "base64") as Buffer<ArrayBuffer>);
  } catch {
    return null;
  }
}

export function signerIdentityOf(cert: X509Certificate): SignerIdentity {
  const extensions: Record<string, string> = {};
  for (const ext of cert.extensions) {
    const oid = oidOf(ext);
    if (oid === null || !oid.startsWith(FULCIO)) continue;
    const value = cert.extension(oid)?.value;
    if (value) extensions[oid] = decodeExtension(oid, value);
  }
  const x = (n: number) => extensions[`${FULCIO}${n}`];
  let san: string | null = null;
  try {
    san = cert.subjectAltName ?? null;
  } catch {
    san = null;
  }
  const signer = workflowOf(x(9) ?? san);
  const repository = repositoryOfUri(x(12)) ?? x(5) ?? signer.repository;
  return {
    subjectAlternativeName: san,
    issuer: x(8) ?? x(1) ?? null,
    repository,
    workflowPath: signer.path,
    workflowRef: signer.ref,
    sourceCommit: x(13) ?? x(3) ?? null,
    sourceRef: x(14) ?? x(6) ?? null,
    runnerEnvironment: x(11) ?? null,
    runUrl: x(21) ?? null,
    buildTrigger: x(20) ?? x(2) ?? null,
    buildSignerUri: x(9) ?? null,
    repositoryVisibility: x(22) ?? null,
    extensions,
    notBefore: safeDate(() => cert.notBefore),
    notAfter: safeDate(() => cert.notAfter),
    issuerName: readableName(cert.issuer),
  };
}

function safeDate(f: () => Date): string | null {
  try {
    return f().toISOString();
  } catch {
    return null;
  }
}
