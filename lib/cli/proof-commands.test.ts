import { createPublicKey } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDataDir } from "@/db/testing";
import { consistencyPath, inclusionPath, leafHash, rootOfLeafHashes, type RangeHasher } from "../ledger/merkle";
import { checkpointText, signNote } from "../ledger/signed-note";
import { testSigningKey } from "../reports/test-support";
import { runCli, spawnCli } from "../testing/cli";

const dir = mkdtempSync(path.join(os.tmpdir(), "custody-proof-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
vi.setConfig({ testTimeout: 300_000 });

const data = path.join(dir, "pglite");
beforeAll(() => createTestDataDir(data));
const embedded = (env: Record<string, string | undefined>) => ({ env: { CUSTODY_DATA_DIR: data, DATABASE_URL: undefined, ...env } });
/** The CLI's own entry in this process (lib/testing/cli.ts), on the embedded database of this file. */
const custody = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, embedded(env));
/** The real CLI in a process of its own: for a failing check's exit status and a one-line error as a user sees them. */
const spawned = (args: string[], env: Record<string, string | undefined> = {}) => spawnCli(args, embedded(env));
const noStack = (s: string) => !/\n\s+at /.test(s);
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

// A log of 500 leaves kept in memory, its checkpoints at 300 and 500 signed like Custody signs them.
const key = testSigningKey();
const leaves = Array.from({ length: 500 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const hasher: RangeHasher = async (lo, hi) => rootOfLeafHashes(leaves, lo, hi);
const origin = "custody.test/ledger";
const note = (size: number) => signNote(checkpointText({ origin, treeSize: size, rootHash: rootOfLeafHashes(leaves.slice(0, size)) }), origin, key.privateKey, createPublicKey(key.privateKey));
const files: Record<string, string> = {};

beforeAll(async () => {
  files.pem = file("custody.pem", key.publicKeyPem);
  files.cp300 = file("cp300.txt", note(300));
  files.cp500 = file("cp500.txt", note(500));
  const path500 = await inclusionPath(hasher, 417, 0, 500);
  const inclusion = { leafIndex: 417, treeSize: 500, leafHash: leaves[417]?.toString("hex"), hashes: path500.map((h) => h.toString("hex")) };
  files.inclusion = file("inclusion.json", JSON.stringify(inclusion));
  files.forged = file("forged.json", JSON.stringify({ ...inclusion, leafHash: leaves[416]?.toString("hex") }));
  files.consistency = file("consistency.json", JSON.stringify({ from: 300, to: 500, hashes: (await consistencyPath(hasher, 300, 500)).map((h) => h.toString("hex")) }));
  files.garbage = file("garbage.txt", "this is not a checkpoint\n");
  files.notJson = file("not.json", "{ leafIndex: ");
  files.otherKey = file("other.pem", testSigningKey().publicKeyPem);
});

describe("custody verify-proof, offline", () => {
  it("verifies an inclusion proof against a checkpoint signed by the trusted key", async () => {
    const r = await custody(["verify-proof", files.inclusion ?? "", "--checkpoint", files.cp500 ?? "", "--key", files.pem ?? ""]);
    expect(r.stdout).toContain("inclusion proof verified: entry 418 (leaf 417)");
    expect(r.status).toBe(0);
  });

  it("verifies a consistency proof between two checkpoints", async () => {
    const r = await custody(["verify-proof", files.consistency ?? "", "--old-checkpoint", files.cp300 ?? "", "--checkpoint", files.cp500 ?? "", "--key", files.pem ?? ""]);
    expect(r.stdout).toContain("consistency proof verified");
    expect(r.status).toBe(0);
  });

  it("without a trusted key says the signer is not verified and exits 1, unless allowed", async () => {
    const r = await custody(["verify-proof", files.inclusion ?? "", "--checkpoint", files.cp500 ?? ""]);
    expect(r.stdout).toContain("integrity only: signer not verified");
    expect(r.status).toBe(1);
    const allowed = await custody(["verify-proof", files.inclusion ?? "", "--checkpoint", files.cp500 ?? "", "--allow-unverified-signer"]);
    expect(allowed.status).toBe(0);
  });

  it("fails a proof for another leaf, a checkpoint signed by another key, and names malformed files in one line", async () => {
    const forged = await spawned(["verify-proof", files.forged ?? "", "--checkpoint", files.cp500 ?? "", "--key", files.pem ?? ""]);
    expect(forged.stdout).toContain("inclusion proof FAILED: the audit path does not lead to the root hash");
    expect(forged.status).toBe(1);
    const otherKey = await custody(["verify-proof", files.inclusion ?? "", "--checkpoint", files.cp500 ?? "", "--key", files.otherKey ?? ""]);
    expect(otherKey.stderr).toMatch(/no signature by the trusted key/);
    expect(otherKey.status).toBe(1);
    const garbage = await spawned(["verify-proof", files.inclusion ?? "", "--checkpoint", files.garbage ?? "", "--key", files.pem ?? ""]);
    expect(garbage.stderr).toMatch(/garbage\.txt: no blank line between the checkpoint and its signature lines/);
    const notJson = await custody(["verify-proof", files.notJson ?? "", "--checkpoint", files.cp500 ?? ""]);
    expect(notJson.stderr).toMatch(/not\.json is not JSON/);
    const mismatch = await custody(["verify-proof", files.inclusion ?? "", "--checkpoint", files.cp300 ?? "", "--key", files.pem ?? ""]);
    expect(mismatch.stderr).toMatch(/proves against a tree of 500 entries, .*signs 300/);
    for (const r of [garbage, notJson, mismatch]) {
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(noStack(r.stderr)).toBe(true);
    }
  });
});

describe("custody verify --against a witness directory", () => {
  it("writes checkpoints to the witness directory as events are pushed, and finds the database agrees", async () => {
    const witness = path.join(dir, "witness");
    const events = file("events.json", JSON.stringify({ events: [1, 2, 3].map((i) => ({ id: `cli-${i}`, type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" })) }));
    const pushed = await custody(["push", events], { CUSTODY_WITNESS_DIR: witness });
    expect(pushed.status).toBe(0);
    expect(readdirSync(witness).length).toBeGreaterThan(0);
    const keys = await custody(["keys"]);
    const pem = file("trial.pem", keys.stdout);
    const r = await custody(["verify", "--against", witness, "--key", pem]);
    expect(r.stdout).toMatch(/witnessed checkpoints ok: 1 of 1/);
    expect(r.stdout).toMatch(/merkle tree ok: 3 entries/);
    expect(r.status).toBe(0);
    const wrongKey = await custody(["verify", "--against", witness, "--key", files.otherKey ?? ""]);
    expect(wrongKey.status).toBe(1);
    expect(wrongKey.stdout).toMatch(/ignored: no signature by the trusted key/);
  });
});
