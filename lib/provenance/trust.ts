import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import type { X509Certificate } from "@sigstore/core";
import { toTrustMaterial, type TrustMaterial } from "@sigstore/verify";
import publicGoodRoot from "./public-good-trusted-root.json";

/**
 * The trust material provenance is verified against: Sigstore's public-good trusted root, shipped
 * with Custody (lib/provenance/public-good-trusted-root.json, see docs/pipelines.md "Provenance"), plus the
 * trusted roots in the files CUSTODY_SIGSTORE_TRUSTED_ROOTS names (GitHub's own, for attestations
 * of private repositories). Nothing is fetched: trust material changes only when a file does.
 */
export interface TrustRoots {
  /** One entry per trusted root, in order: its origin (a file name or "public-good") and its JSON. */
  roots: { origin: string; json: Record<string, unknown> }[];
  /** Short SHA-256 over the roots' canonical text: cached verdicts are keyed by it. */
  fingerprint: string;
  /** The roots merged into one (their CAs, logs and timestamp authorities together). */
  material: TrustMaterial;
  /** Subjects (DER) of the CA certificates of roots that list no CT logs: their leaves carry no SCTs. */
  subjectsWithoutCt: Buffer[];
}

export class TrustRootError extends Error {
  override name = "TrustRootError";
}

/** A file holds one trusted root (JSON) or several (JSON lines, as `gh attestation trusted-root` prints). */
export function parseTrustRootFile(text: string, origin: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  const docs: unknown[] = [];
  try {
    docs.push(JSON.parse(trimmed));
  } catch {
    for (const [i, line] of trimmed.split(/\r?\n/).entries()) {
      if (line.trim() === "") continue;
      try {
        docs.push(JSON.parse(line));
      } catch {
        throw new TrustRootError(`trusted root ${origin}: line ${i + 1} is not JSON`);
      }
    }
  }
  return docs.map((d, i) => {
    if (d === null || typeof d !== "object" || Array.isArray(d) || !("certificateAuthorities" in d || "tlogs" in d)) {
      throw new TrustRootError(`trusted root ${origin}${docs.length > 1 ? ` (root ${i + 1})` : ""}: not a Sigstore trusted root (no certificateAuthorities or tlogs)`);
    }
    return d as Record<string, unknown>;
  });
}

const lists = ["certificateAuthorities", "tlogs", "ctlogs", "timestampAuthorities"] as const;

export function buildTrustRoots(roots: { origin: string; json: Record<string, unknown> }[]): TrustRoots {
  const hash = createHash("sha256");
  const subjectsWithoutCt: Buffer[] = [];
  const merged: Record<string, unknown[]> = { certificateAuthorities: [], tlogs: [], ctlogs: [], timestampAuthorities: [] };
  for (const r of roots) {
    hash.update(JSON.stringify(r.json));
    try {
      TrustedRoot.fromJSON(r.json);
    } catch (error) {
      throw new TrustRootError(`trusted root ${r.origin}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const ctlogs = r.json.ctlogs;
    if (!Array.isArray(ctlogs) || ctlogs.length === 0) {
      for (const ca of toTrustMaterial(TrustedRoot.fromJSON(r.json)).certificateAuthorities) {
        for (const cert of ca.certChain) subjectsWithoutCt.push(Buffer.from(cert.subject));
      }
    }
    for (const key of lists) {
      const value = r.json[key];
      if (Array.isArray(value)) merged[key]?.push(...(value as unknown[]));
    }
  }
  const mediaType = roots[0]?.json.mediaType ?? "application/vnd.dev.sigstore.trustedroot+json;version=0.1";
  const material = toTrustMaterial(TrustedRoot.fromJSON({ mediaType, ...merged }));
  for (const ca of [...material.certificateAuthorities, ...material.timestampAuthorities]) ca.certChain.forEach(rememberEncoding);
  for (const ca of material.certificateAuthorities) ca.certChain.forEach(rememberSignatureChecks);
  return { roots, fingerprint: hash.digest("hex").slice(0, 16), material, subjectsWithoutCt };
}

/** The public-good root plus the roots read from `files` (paths, in order). */
export function loadTrustRoots(files: readonly string[] = []): TrustRoots {
  const roots: { origin: string; json: Record<string, unknown> }[] = [{ origin: "public-good", json: publicGoodRoot as Record<string, unknown> }];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new TrustRootError(`trusted root ${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    for (const json of parseTrustRootFile(text, file)) roots.push({ origin: file, json });
  }
  return buildTrustRoots(roots);
}

let cached: { key: string; roots: TrustRoots } | undefined;

/** The configured trust roots, read once per process and per list of files. */
export function activeTrustRoots(files: readonly string[]): TrustRoots {
  const key = files.join("\u0000");
  if (cached === undefined || cached.key !== key) cached = { key, roots: loadTrustRoots(files) };
  return cached.roots;
}

/**
 * @sigstore/core re-encodes a certificate to DER for every comparison (the chain builder compares
 * each pair of candidate certificates), which costs more than the signatures. A parsed certificate
 * never changes, so its encoding is computed once per instance. Applied to the trusted CAs here
 * and to each bundle's leaf certificate in verify.ts.
 */
export function rememberEncoding(cert: X509Certificate): void {
  const der = cert.root.toDER();
  cert.root.toDER = () => der;
}

/**
 * The trusted CAs' own signatures (intermediate by root, root by itself) are checked again for
 * every bundle. The library still makes each check; a CA certificate remembers the outcome per
 * issuer instance (weakly held: a bundle's leaf offered as an issuer is forgotten with the bundle).
 */
function rememberSignatureChecks(cert: X509Certificate): void {
  const verify = cert.verify.bind(cert);
  const byIssuer = new WeakMap<X509Certificate, boolean>();
  let selfSigned: boolean | undefined;
  cert.verify = (issuer?: X509Certificate): boolean => {
    if (issuer === undefined) return (selfSigned ??= verify());
    let ok = byIssuer.get(issuer);
    if (ok === undefined) {
      ok = verify(issuer);
      byIssuer.set(issuer, ok);
    }
    return ok;
  };
}
