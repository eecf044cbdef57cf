import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { publicGoodRoot } from "./refresh-trusted-root.mjs";

const fixture = readFileSync(new URL("../lib/provenance/fixtures/trusted_root.json", import.meta.url), "utf8");

describe("refreshing the shipped public-good trusted root", () => {
  it("picks the public-good root out of gh attestation trusted-root's JSON lines", () => {
    const other = { mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", certificateAuthorities: [{ uri: "fulcio.githubapp.com" }], tlogs: [] };
    const lines = `${JSON.stringify(other)}\n${JSON.stringify(JSON.parse(fixture))}\n`;
    expect(publicGoodRoot(lines)).toEqual(JSON.parse(fixture));
  });

  it("refuses input without it", () => {
    expect(() => publicGoodRoot(JSON.stringify({ certificateAuthorities: [{ uri: "fulcio.githubapp.com" }], tlogs: [] }))).toThrow(/no public-good/);
  });
});
