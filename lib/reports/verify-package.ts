import { createHash } from "node:crypto";
import { type KeyObject } from "node:crypto";
import yauzl from "yauzl";
import { keyIdOf, parsePublicKey, verifyBytes } from "../signing/keys";
import { type Manifest, type ManifestSignature } from "./package";
import { ledgerProofFiles, verifyLedgerProofs, verifySince, type LedgerProofVerification } from "./verify-package-ledger";

export type FileStatus = "ok" | "changed" | "missing" | "added" | "duplicate";

export interface PackageVerification {
  ok: boolean;
  files: { path: string; status: FileStatus }[];
  signature: { valid: boolean; keyId: string | null; expectedKeyId: string | null; reason: string | null };
  manifest: Manifest | null;
  /** The checkpoint and each sampled entry's inclusion proof (lib/reports/verify-package-ledger.ts). */
  ledger: LedgerProofVerification | null;
  /** With `since`: whether the log only grew from the older package's checkpoint to this one's. */
  since: { ok: boolean; message: string } | null;
  /** Whether the signature was checked with a key given by the caller, not the one named inside. */
  signerTrusted: boolean;
}

const special = new Set(["manifest.json", "manifest.sig"]);
const keptFiles = new Set<string>([...special, ...ledgerProofFiles]);

export interface PackageLimits {
  /** Bytes of manifest.json read at most (a real one lists a dozen files). */
  maxManifestBytes: number;
  /** Bytes of manifest.sig read at most. */
  maxSignatureBytes: number;
  /** Uncompressed bytes all entries together may claim. */
  maxTotalBytes: number;
  maxEntries: number;
  /** Bytes of ledger-proofs.jsonl and consistency.json read into memory at most (checkpoint.txt: maxSignatureBytes). */
  maxProofBytes: number;
}

export const defaultPackageLimits: PackageLimits = {
  maxManifestBytes: 4 * 1024 * 1024,
  maxSignatureBytes: 64 * 1024,
  maxTotalBytes: 8 * 1024 * 1024 * 1024,
  maxEntries: 10_000,
  maxProofBytes: 512 * 1024 * 1024,
};

/**
 * Reads every entry: SHA-256 of each file, the bytes of the manifest and its signature kept. What
 * the entries claim is checked first, against the limits, before any is read; yauzl then refuses
 * an entry whose bytes differ from its claim.
 */
export async function readZip(data: Buffer, limits: PackageLimits = defaultPackageLimits): Promise<{ hashes: Map<string, string>; duplicates: Set<string>; kept: Map<string, Buffer> }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, z) => (err || !z ? reject(err ?? new Error("not a zip")) : resolve(z))),
  );
  if (zip.entryCount > limits.maxEntries) throw new Error(`refused: the zip has more than ${limits.maxEntries} entries`);
  const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
    const all: yauzl.Entry[] = [];
    let claimed = 0;
    zip.on("error", reject);
    zip.on("end", () => resolve(all));
    zip.on("entry", (entry: yauzl.Entry) => {
      claimed += entry.uncompressedSize;
      if (claimed > limits.maxTotalBytes) return reject(new Error(`refused: the zip's entries claim more than ${limits.maxTotalBytes} bytes`));
      const cap =
        entry.fileName === "manifest.json"
          ? limits.maxManifestBytes
          : entry.fileName === "manifest.sig" || entry.fileName === "checkpoint.txt"
            ? limits.maxSignatureBytes
            : keptFiles.has(entry.fileName)
              ? limits.maxProofBytes
              : null;
      if (cap !== null && entry.uncompressedSize > cap) return reject(new Error(`refused: ${entry.fileName} is larger than ${cap} bytes`));
      if (!entry.fileName.endsWith("/")) all.push(entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
  const hashes = new Map<string, string>();
  const duplicates = new Set<string>();
  const kept = new Map<string, Buffer>();
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      zip.openReadStream(entry, (err, rs) => {
        if (err || !rs) return reject(err ?? new Error(`cannot read ${entry.fileName}`));
        const hash = createHash("sha256");
        const chunks: Buffer[] = [];
        rs.on("data", (c: Buffer) => {
          hash.update(c);
          if (keptFiles.has(entry.fileName)) chunks.push(c);
        });
        rs.on("error", reject);
        rs.on("end", () => {
          if (hashes.has(entry.fileName)) duplicates.add(entry.fileName);
          hashes.set(entry.fileName, hash.digest("hex"));
          if (keptFiles.has(entry.fileName)) kept.set(entry.fileName, Buffer.concat(chunks));
          resolve();
        });
      });
    });
  }
  return { hashes, duplicates, kept };
}

/**
 * Checks an evidence package offline: every file against manifest.json, and manifest.json against
 * manifest.sig. With `trustedKeyPem` (fetched from the instance earlier) the signature must be by
 * that key, so rewriting the manifest after changing a file fails; without it, only the key
 * embedded in the manifest is checked, which proves integrity but not origin.
 */
export async function verifyPackage(data: Buffer, trustedKeyPem?: string, opts: Partial<PackageLimits> & { since?: Buffer } = {}): Promise<PackageVerification> {
  const { since: sinceData, ...limits } = opts;
  let trusted: KeyObject | null = null;
  if (trustedKeyPem !== undefined) trusted = parsePublicKey(trustedKeyPem);
  const { hashes, duplicates, kept } = await readZip(data, { ...defaultPackageLimits, ...limits });
  const manifestBytes = kept.get("manifest.json");
  const sigBytes = kept.get("manifest.sig");
  const files: PackageVerification["files"] = [];
  let manifest: Manifest | null = null;
  const fail = (reason: string, keyId: string | null = null): PackageVerification["signature"] => ({
    valid: false,
    keyId,
    expectedKeyId: trusted ? keyIdOf(trusted) : null,
    reason,
  });
  let signature: PackageVerification["signature"];
  if (!manifestBytes) {
    files.push({ path: "manifest.json", status: "missing" });
    signature = fail("manifest.json is missing");
  } else {
    try {
      manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
    } catch {
      signature = fail("manifest.json is not JSON");
    }
  }
  if (manifest) {
    const listed = new Set<string>();
    for (const f of manifest.files ?? []) {
      listed.add(f.path);
      const actual = hashes.get(f.path);
      files.push({ path: f.path, status: actual === undefined ? "missing" : duplicates.has(f.path) ? "duplicate" : actual === f.sha256 ? "ok" : "changed" });
    }
    for (const path of hashes.keys()) if (!listed.has(path) && !special.has(path)) files.push({ path, status: "added" });
  }
  signature ??= (() => {
    if (!manifestBytes || !manifest) return fail("no manifest");
    if (!sigBytes) return fail("manifest.sig is missing");
    let sig: ManifestSignature;
    try {
      sig = JSON.parse(sigBytes.toString("utf8")) as ManifestSignature;
    } catch {
      return fail("manifest.sig is not JSON");
    }
    let key: KeyObject;
    try {
      key = trusted ?? parsePublicKey(manifest.signer.publicKeyPem);
    } catch {
      return fail("the manifest names no usable public key", sig.keyId ?? null);
    }
    const keyId = keyIdOf(key);
    if (sig.keyId !== keyId) return fail(`signed with key ${sig.keyId}, expected ${keyId}`, sig.keyId ?? null);
    if (!verifyBytes(key, manifestBytes, sig.signature)) return fail("signature does not match manifest.json", sig.keyId);
    return { valid: true, keyId, expectedKeyId: trusted ? keyId : null, reason: null };
  })();
  const proofKey = trusted ?? embeddedKey(manifest);
  const ledger = manifest ? verifyLedgerProofs(kept, manifest, proofKey) : null;
  let since: PackageVerification["since"] = null;
  if (sinceData && manifest && proofKey) since = verifySince(kept, manifest, (await readZip(sinceData, { ...defaultPackageLimits, ...limits })).kept, proofKey);
  else if (sinceData) since = { ok: false, message: "no key to check the packages' checkpoints with" };
  const ok = signature.valid && files.every((f) => f.status === "ok") && files.length > 0 && ledger?.ok === true && (since?.ok ?? true);
  return { ok, files, signature, manifest, ledger, since, signerTrusted: trusted !== null };
}

function embeddedKey(manifest: Manifest | null): KeyObject | null {
  try {
    return manifest ? parsePublicKey(manifest.signer.publicKeyPem) : null;
  } catch {
    return null;
  }
}
