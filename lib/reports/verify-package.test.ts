import { describe, expect, it } from "vitest";
import { rezip } from "./test-support";
import { verifyPackage } from "./verify-package";

// A package is a file from anyone: what it makes the verifier read must be bounded.
describe("verify-package on a hostile zip", () => {
  it("refuses a manifest.json larger than its cap instead of reading it all", async () => {
    // 32 MiB of one byte deflates to a few tens of KiB: a small file that claims a huge manifest.
    const zip = await rezip(new Map([["manifest.json", Buffer.alloc(32 * 1024 * 1024, 0x20)]]));
    expect(zip.length).toBeLessThan(1024 * 1024);
    await expect(verifyPackage(zip)).rejects.toThrow(/manifest\.json is larger than/);
  });

  it("refuses a manifest.sig larger than its cap", async () => {
    const zip = await rezip(new Map([["manifest.json", Buffer.from("{}")], ["manifest.sig", Buffer.alloc(1024 * 1024, 0x20)]]));
    await expect(verifyPackage(zip)).rejects.toThrow(/manifest\.sig is larger than/);
  });

  it("refuses a zip whose entries claim more than the limit, before reading any", async () => {
    const files = new Map([
      ["manifest.json", Buffer.from("{}")],
      ["a.csv", Buffer.alloc(600, 0x61)],
      ["b.csv", Buffer.alloc(600, 0x62)],
    ]);
    const zip = await rezip(files);
    await expect(verifyPackage(zip, undefined, { maxTotalBytes: 1000 })).rejects.toThrow(/claim more than 1000 bytes/);
    await expect(verifyPackage(zip, undefined, { maxEntries: 2 })).rejects.toThrow(/more than 2 entries/);
    await expect(verifyPackage(zip, undefined, { maxTotalBytes: 2000 })).resolves.toMatchObject({ ok: false });
  });
});
