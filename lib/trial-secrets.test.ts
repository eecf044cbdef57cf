import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { trialSecrets } from "./trial-secrets";

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), "custody-trial-")), "pglite");

/** Runs trialSecrets in a separate process, all of them released at the same instant. */
function inChild(dataDir: string, at: number): Promise<string> {
  const script = `const m = await import(${JSON.stringify(path.resolve("lib/trial-secrets.ts"))}); while (Date.now() < ${at}); process.stdout.write(m.trialSecrets(${JSON.stringify(dataDir)}).sessionSecret);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { ...process.env, CUSTODY_MODE: "trial" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
  });
}

describe("the trial's secrets file", () => {
  it("is created readable by its owner only, and read back the same", () => {
    const dir = fresh();
    const first = trialSecrets(dir);
    const file = path.join(path.dirname(dir), "trial-secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(trialSecrets(dir)).toEqual(first);
    expect(readdirSync(path.dirname(dir))).toEqual(["trial-secrets.json"]);
  });

  it("refuses to be used when other users can read it", () => {
    const dir = fresh();
    trialSecrets(dir);
    const file = path.join(path.dirname(dir), "trial-secrets.json");
    chmodSync(file, 0o644);
    expect(() => trialSecrets(dir)).toThrow(/readable by other users.*chmod 600/);
  });

  it("is written whole, once: processes starting together all get the same secrets", async () => {
    const dir = fresh();
    const at = Date.now() + 5000;
    const secrets = await Promise.all(Array.from({ length: 6 }, () => inChild(dir, at)));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toMatch(/^[\w-]{43}$/);
    expect(readdirSync(path.dirname(dir))).toEqual(["trial-secrets.json"]);
  }, 30_000);
});
