#!/usr/bin/env node
// Points an overlay at one image digest: rewrites the overlay's `images:` digest and the migration
// Job's name (custody-migrate-<first 12 hex of the digest>), so each digest gets its own Job.
//   node deploy/kubernetes/set-image.mjs deploy/kubernetes/overlays/production ghcr.io/acme/custody@sha256:<64 hex>
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [overlay, ref] = process.argv.slice(2);
const match = /^([^@\s]+)@(sha256:([a-f0-9]{64}))$/.exec(ref ?? "");
if (!overlay || !match) {
  process.stderr.write("usage: set-image.mjs <overlay-dir> <image>@sha256:<64 hex> (a digest, never a tag)\n");
  process.exit(2);
}
const [, name, digest, hex] = match;
const file = path.join(overlay, "kustomization.yaml");
const before = readFileSync(file, "utf8");
const after = before
  .replace(/(\n\s+newName:\s*)\S+/, `$1${name}`)
  .replace(/(\n\s+digest:\s*)sha256:[a-f0-9]{64}/, `$1${digest}`)
  .replace(/(value:\s*custody-migrate-)[a-f0-9]{12}/, `$1${hex.slice(0, 12)}`);
if (!after.includes(digest) || !after.includes(`custody-migrate-${hex.slice(0, 12)}`)) {
  process.stderr.write(`${file}: no images digest or custody-migrate name to rewrite\n`);
  process.exit(1);
}
writeFileSync(file, after);
process.stdout.write(`${file}: ${name}@${digest}, job custody-migrate-${hex.slice(0, 12)}\n`);
