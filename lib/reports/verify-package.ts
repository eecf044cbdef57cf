import { createHash } from "node:crypto";
import { type KeyObject } from "node:crypto";
import yauzl from "yauzl";
import { keyIdOf, parsePublicKey, verifyBytes } from "../signing/keys";
import { type Manifest, type ManifestSignature } from "./package";

export type FileStatus = "ok" | "changed" | "missing" | "added" | "duplicate";

export interface PackageVerification {
  ok: boolean;
  files: { path: string; status: FileStatus }[];
  signature: { valid: boolean; keyId: string | null; expectedKeyId: string | null; reason: string | null };
  manifest: Manifest | null;
}

const special = new Set(["manifest.json", "manifest.sig"]);

/** Reads every entry: SHA-256 of each file, the bytes of the manifest and its signature kept. */
async function readZip(data: Buffer): Promise<{ hashes: Map<string, string>; duplicates: Set<string>; kept: Map<string, Buffer> }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true }, (err, z) => (err || !z ? reject(err ?? new Error("not a zip")) : resolve(z))),
  );
  const hashes = new Map<string, string>();
  const duplicates = new Set<string>();
  const kept = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.on("error", reject);
    zip.on("end", () => resolve());
    zip.on("entry", (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith("/")) return zip.readEntry();
      zip.openReadStream(entry, (err, rs) => {
        if (err || !rs) return reject(err ?? new Error(`cannot read ${entry.fileName}`));
        const hash = createHash("sha256");
        const chunks: Buffer[] = [];
        rs.on("data", (c: Buffer) => {
          hash.update(c);
          if (special.has(entry.fileName)) chunks.push(c);
        });
        rs.on("error", reject);
        rs.on("end", () => {
          if (hashes.has(entry.fileName)) duplicates.add(entry.fileName);
          hashes.set(entry.fileName, hash.digest("hex"));
          if (special.has(entry.fileName)) kept.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return { hashes, duplicates, kept };
}

/**
 * Checks an evidence package offline: every file against manifest.json, and manifest.json against
 * manifest.sig. With `trustedKeyPem` (fetched from the instance earlier) the signature must be by
 * that key, so rewriting the manifest after changing a file fails; without it, only the key
 * embedded in the manifest is checked, which proves integrity but not origin.
 */
export async function verifyPackage(data: Buffer, trustedKeyPem?: string): Promise<PackageVerification> {
  let trusted: KeyObject | null = null;
  if (trustedKeyPem !== undefined) trusted = parsePublicKey(trustedKeyPem);
  const { hashes, duplicates, kept } = await readZip(data);
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
  const ok = signature.valid && files.every((f) => f.status === "ok") && files.length > 0;
  return { ok, files, signature, manifest };
}
