import { createHash } from "node:crypto";
import { AppError } from "../errors";
import { canonicalJson } from "../policy/canonical-json";

export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/** One bundle of a request body, with the text it was sent as (kept verbatim in the ledger). */
export interface ReceivedBundle {
  text: string;
  json: Record<string, unknown>;
  /** SHA-256 (hex) of the bundle's canonical JSON: equal bundles, however formatted, share it. */
  sha256: string;
}

export interface StatementSubject {
  name: string;
  /** `algorithm:hex`, e.g. `sha256:…`, `sha512:…`. */
  digests: string[];
}

/** The in-toto statement a DSSE bundle carries (unverified until the evaluator verifies the bundle). */
export interface Statement {
  predicateType: string | null;
  subjects: StatementSubject[];
  predicate: Record<string, unknown> | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function bundleSha256(json: unknown): string {
  return createHash("sha256").update(canonicalJson(json)).digest("hex");
}

/**
 * Splits a body into bundles: one JSON document, or JSON lines (one bundle a line, the format of
 * `gh attestation download`). Each bundle is checked for the parts verification needs; a missing
 * part is a 400 naming it (`line 2: verificationMaterial.certificate …`), a bundle over
 * `maxBundleBytes` a 413.
 */
export function parseBundles(text: string, maxBundleBytes: number): ReceivedBundle[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new AppError("VALIDATION", "body: a Sigstore bundle (JSON) or JSON lines of bundles is required");
  let pieces: { text: string; where: string }[];
  try {
    JSON.parse(trimmed);
    pieces = [{ text: trimmed, where: "bundle" }];
  } catch {
    pieces = trimmed
      .split(/\r?\n/)
      .map((line, i) => ({ text: line.trim(), where: `line ${i + 1}` }))
      .filter((p) => p.text !== "");
  }
  if (pieces.length > 1000) throw new AppError("VALIDATION", `body: at most 1000 bundles per request (got ${pieces.length})`);
  return pieces.map(({ text: piece, where }) => {
    const size = Buffer.byteLength(piece);
    if (size > maxBundleBytes) throw new AppError("PAYLOAD_TOO_LARGE", `${where}: the bundle is ${size} bytes, over the limit of ${maxBundleBytes} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(piece);
    } catch (error) {
      throw new AppError("MALFORMED_JSON", `${where}: not valid JSON (${(error as Error).message})`);
    }
    const problems = bundleProblems(json);
    if (problems.length > 0) throw new AppError("VALIDATION", `${where}: ${problems.join("; ")}`);
    return { text: piece, json: json as Record<string, unknown>, sha256: bundleSha256(json) };
  });
}

/**
 * What a body lacks to be a Sigstore bundle, each named by its path. Only the structure is
 * checked here (the request stays fast); signatures are the evaluator's work.
 */
export function bundleProblems(json: unknown): string[] {
  if (!isObject(json)) return ["must be a JSON object (a Sigstore bundle)"];
  const problems: string[] = [];
  const mediaType = json.mediaType;
  if (typeof mediaType !== "string") problems.push("mediaType: required (application/vnd.dev.sigstore.bundle…)");
  else if (!mediaType.startsWith("application/vnd.dev.sigstore.bundle")) problems.push(`mediaType: "${mediaType.slice(0, 100)}" is not a Sigstore bundle media type`);
  const vm = json.verificationMaterial;
  if (!isObject(vm)) problems.push("verificationMaterial: required");
  else {
    const cert = isObject(vm.certificate) && typeof vm.certificate.rawBytes === "string" && vm.certificate.rawBytes !== "";
    const chain =
      isObject(vm.x509CertificateChain) &&
      Array.isArray(vm.x509CertificateChain.certificates) &&
      isObject(vm.x509CertificateChain.certificates[0]) &&
      typeof vm.x509CertificateChain.certificates[0].rawBytes === "string";
    const key = isObject(vm.publicKey) && typeof vm.publicKey.hint === "string" && vm.publicKey.hint !== "";
    if (!cert && !chain && !key) problems.push("verificationMaterial.certificate (or x509CertificateChain or publicKey.hint): required, the bundle has no certificate or key");
    const tlog = Array.isArray(vm.tlogEntries) && vm.tlogEntries.length > 0;
    const tsa = isObject(vm.timestampVerificationData) && Array.isArray(vm.timestampVerificationData.rfc3161Timestamps) && vm.timestampVerificationData.rfc3161Timestamps.length > 0;
    if (!tlog && !tsa) problems.push("verificationMaterial.tlogEntries (or timestampVerificationData): required, the bundle has no log entry or timestamp");
  }
  const dsse = json.dsseEnvelope;
  const message = json.messageSignature;
  if (!isObject(dsse) && !isObject(message)) problems.push("dsseEnvelope (or messageSignature): required");
  else if (isObject(dsse)) {
    if (typeof dsse.payload !== "string") problems.push("dsseEnvelope.payload: required");
    if (typeof dsse.payloadType !== "string") problems.push("dsseEnvelope.payloadType: required");
    if (!Array.isArray(dsse.signatures) || dsse.signatures.length === 0) problems.push("dsseEnvelope.signatures: required");
  }
  return problems;
}

/** The in-toto statement of a DSSE bundle, or null (a message signature, another payload type, or unreadable). */
export function statementOf(bundle: Record<string, unknown>): Statement | null {
  const dsse = bundle.dsseEnvelope;
  if (!isObject(dsse) || dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE || typeof dsse.payload !== "string") return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(dsse.payload, "base64").toString("utf8"));
  } catch {
    return null;
  }
  if (!isObject(json)) return null;
  const subjects: StatementSubject[] = Array.isArray(json.subject)
    ? json.subject.filter(isObject).map((s) => ({
        name: typeof s.name === "string" ? s.name : "",
        digests: isObject(s.digest)
          ? Object.entries(s.digest)
              .filter((e): e is [string, string] => typeof e[1] === "string")
              .map(([alg, hex]) => `${alg.toLowerCase()}:${hex.toLowerCase()}`)
          : [],
      }))
    : [];
  return {
    predicateType: typeof json.predicateType === "string" ? json.predicateType : null,
    subjects,
    predicate: isObject(json.predicate) ? json.predicate : null,
  };
}

/** The sha256 subject digests of a statement, as image digests (`sha256:…`). */
export function sha256Subjects(statement: Statement | null): string[] {
  const out = new Set<string>();
  for (const s of statement?.subjects ?? []) for (const d of s.digests) if (/^sha256:[a-f0-9]{64}$/.test(d)) out.add(d);
  return [...out];
}

/**
 * The first transparency-log entry's integrated time, if the bundle has one that is an instant: Rekor
 * writes whole seconds since the epoch. A value past what a date can hold (a hostile or broken
 * bundle's 1e308) counts as none; the bundle is still stored, and its verification fails on it.
 */
export function integratedTimeOf(bundle: Record<string, unknown>): Date | null {
  const vm = bundle.verificationMaterial;
  if (!isObject(vm) || !Array.isArray(vm.tlogEntries)) return null;
  const first: unknown = vm.tlogEntries[0];
  if (!isObject(first)) return null;
  const seconds = Number(first.integratedTime);
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  const at = new Date(seconds * 1000);
  return Number.isNaN(at.getTime()) ? null : at;
}
