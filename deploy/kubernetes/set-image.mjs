#!/usr/bin/env node
// Points an overlay at one image digest: rewrites the overlay's `images:` digest and the migration
// Job's name (custody-migrate-<first 12 hex of the digest>), so each digest gets its own Job.
//   node deploy/kubernetes/set-image.mjs deploy/kubernetes/overlays/production ghcr.io/acme/custody@sha256:<64 hex> [ghcr.io/acme/custody-cli@sha256:<64 hex>]
// The optional third argument is the CLI image of the same release, run by the custody-worker Deployment.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [overlay, ref, cliRef] = process.argv.slice(2);
const cli = cliRef === undefined ? null : /^([^@\s]+)@(sha256:[a-f0-9]{64})$/.exec(cliRef);
const match = /^([^@\s]+)@(sha256:([a-f0-9]{64}))$/.exec(ref ?? "");
if (!overlay || !match || (cliRef !== undefined && !cli)) {
  process.stderr.write("usage: set-image.mjs <overlay-dir> <image>@sha256:<64 hex> [<cli-image>@sha256:<64 hex>] (digests, never tags)\n");
  process.exit(2);
}
const [, name, digest, hex] = match;
const file = path.join(overlay, "kustomization.yaml");
const before = readFileSync(file, "utf8");
let after = before
  .replace(/(\n\s+newName:\s*)\S+/, `$1${name}`)
  .replace(/(\n\s+digest:\s*)sha256:[a-f0-9]{64}/, `$1${digest}`)
  .replace(/(value:\s*custody-migrate-)[a-f0-9]{12}/, `$1${hex.slice(0, 12)}`);
if (cli) after = after.replace(/(- name: custody-cli\n\s+newName:\s*)\S+(\n\s+digest:\s*)sha256:[a-f0-9]{64}/, `$1${cli[1]}$2${cli[2]}`);
if (cli && !after.includes(`${cli[2]}`)) {
  process.stderr.write(`${file}: no custody-cli image to rewrite\n`);
  process.exit(1);
}
if (!after.includes(digest) || !after.includes(`custody-migrate-${hex.slice(0, 12)}`)) {
  process.stderr.write(`${file}: no images digest or custody-migrate name to rewrite\n`);
  process.exit(1);
}
writeFileSync(file, after);
process.stdout.write(`${file}: ${name}@${digest}, job custody-migrate-${hex.slice(0, 12)}\n`);
