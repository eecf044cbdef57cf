#!/usr/bin/env node
// Refreshes Custody's copy of Sigstore's public-good trusted root from the JSON lines that
// `gh attestation trusted-root` prints (fetched and verified through Sigstore's TUF repository):
//   gh attestation trusted-root | node scripts/refresh-trusted-root.mjs
// Keeps only the public-good root (its Fulcio is fulcio.sigstore.dev); GitHub's own root goes in a
// file named by CUSTODY_SIGSTORE_TRUSTED_ROOTS instead. Plain Node 20.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const target = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "lib", "provenance", "public-good-trusted-root.json");

/** The public-good root among JSON lines (or one JSON document) of trusted roots. */
export function publicGoodRoot(text) {
  const trimmed = text.trim();
  let docs;
  try {
    docs = [JSON.parse(trimmed)];
  } catch {
    docs = trimmed.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  }
  const root = docs.find((d) => Array.isArray(d?.certificateAuthorities) && d.certificateAuthorities.some((ca) => String(ca?.uri ?? "").includes("fulcio.sigstore.dev")));
  if (!root) throw new Error("no public-good trusted root (Fulcio at fulcio.sigstore.dev) in the input");
  if (!Array.isArray(root.tlogs) || root.tlogs.length === 0) throw new Error("the public-good root names no transparency log");
  return root;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const root = publicGoodRoot(readFileSync(0, "utf8"));
    writeFileSync(target, `${JSON.stringify(root, null, 2)}\n`);
    process.stdout.write(`wrote ${target} (${root.certificateAuthorities.length} CAs, ${root.tlogs.length} logs); commit it and redeploy\n`);
  } catch (error) {
    process.stderr.write(`refresh-trusted-root: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
