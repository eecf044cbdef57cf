import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { Verifier, toSignedEntity, toTrustMaterial } from "@sigstore/verify";
const req = createRequire(import.meta.url);
const bs = process.argv[2];
if (bs) { const { ByteStream } = req("@sigstore/core/dist/stream.js"); ByteStream.BLOCK_SIZE = Number(bs); }
const dir = "/work/shared/fixtures/sigstore/";
const root = JSON.parse(readFileSync(dir + "trusted_root.json", "utf8"));
const tm = toTrustMaterial(TrustedRoot.fromJSON(root));
const v = new Verifier(tm, { tlogThreshold: 1, ctlogThreshold: 1 });
const text = readFileSync(dir + "sigstore-js-2.1.0-bundle.json", "utf8");
for (let i=0;i<30;i++) v.verify(toSignedEntity(bundleFromJSON(JSON.parse(text))));
const t1 = performance.now(); for (let i=0;i<300;i++) v.verify(toSignedEntity(bundleFromJSON(JSON.parse(text)))); console.log(bs, "per verify ms", ((performance.now()-t1)/300).toFixed(2));
