import { describe, expect, it } from "vitest";
import vectors from "./testdata/transparency-dev-merkle-vectors.json";
import { EMPTY_ROOT, Frontier, checkConsistency, checkInclusion, consistencyPath, inclusionPath, leafHash, rootOfLeafHashes, type RangeHasher } from "./merkle";

// Leaf inputs and roots of the reference tree (transparency-dev/merkle testonly/constants.go, Apache-2.0).
const inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map((h) => Buffer.from(h, "hex"));
const roots = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const leaves = inputs.map(leafHash);
const b64 = (s: string) => Buffer.from(s, "base64");
const memoryHasher =
  (hashes: Buffer[]): RangeHasher =>
  async (lo, hi) =>
    rootOfLeafHashes(hashes, lo, hi);

describe("RFC 6962 tree hashing (Certificate Transparency reference tree)", () => {
  it("gives the reference root for every tree size 0..8, in memory and built incrementally", () => {
    const frontier = Frontier.empty();
    expect(frontier.root().toString("hex")).toBe(roots[0]);
    expect(EMPTY_ROOT.toString("hex")).toBe(roots[0]);
    for (let n = 1; n <= 8; n += 1) {
      expect(rootOfLeafHashes(leaves.slice(0, n)).toString("hex")).toBe(roots[n]);
      frontier.append(leaves[n - 1] as Buffer);
      expect(frontier.root().toString("hex")).toBe(roots[n]);
      expect(Frontier.parse(frontier.serialize()).root().toString("hex")).toBe(roots[n]);
    }
  });

  it("reports each perfect subtree it completes, with its level and index", () => {
    const seen: string[] = [];
    const frontier = Frontier.empty();
    for (const l of leaves) frontier.append(l, (level, index, h) => seen.push(`${level}/${index}/${h.toString("hex")}`));
    expect(seen).toEqual([
      "1/0/fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "1/1/5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "2/0/d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "1/2/0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "1/3/ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "2/1/6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
      "3/0/5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]);
  });
});

describe("inclusion proofs (transparency-dev/merkle testdata/inclusion)", () => {
  for (const v of vectors.inclusion) {
    it(`${v.file}: ${v.wantErr ? "rejected" : "accepted"}`, () => {
      const problem = checkInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root));
      if (v.wantErr) expect(problem).not.toBeNull();
      else expect(problem).toBeNull();
    });
  }

  it("generates the audit path of every leaf of every reference tree, and each verifies", async () => {
    for (let n = 1; n <= 8; n += 1) {
      for (let m = 0; m < n; m += 1) {
        const path = await inclusionPath(memoryHasher(leaves), m, 0, n);
        expect(checkInclusion(m, n, leaves[m] as Buffer, path, Buffer.from(roots[n] as string, "hex"))).toBeNull();
      }
    }
    const happy = vectors.inclusion.find((v) => v.file === "inclusion/1/happy-path.json");
    expect((await inclusionPath(memoryHasher(leaves), happy?.leafIdx ?? -1, 0, happy?.treeSize ?? 0)).map((b) => b.toString("base64"))).toEqual(happy?.proof);
  });
});

describe("consistency proofs (transparency-dev/merkle testdata/consistency)", () => {
  for (const v of vectors.consistency) {
    it(`${v.file}: ${v.wantErr ? "rejected" : "accepted"}`, () => {
      const problem = checkConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
      if (v.wantErr) expect(problem).not.toBeNull();
      else expect(problem).toBeNull();
    });
  }

  it("generates the proof between every pair of reference tree sizes, each verifying, and matches the vectors", async () => {
    for (let n = 1; n <= 8; n += 1) {
      for (let m = 1; m <= n; m += 1) {
        const path = await consistencyPath(memoryHasher(leaves), m, n);
        expect(checkConsistency(m, n, path, Buffer.from(roots[m] as string, "hex"), Buffer.from(roots[n] as string, "hex"))).toBeNull();
      }
    }
    for (const v of vectors.consistency.filter((x) => x.desc === "happy path")) {
      expect((await consistencyPath(memoryHasher(leaves), v.size1, v.size2)).map((b) => b.toString("base64"))).toEqual(v.proof ?? []);
    }
  });
});
