import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../testing/cli";

const dir = mkdtempSync(path.join(os.tmpdir(), "custody-partitions-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The CLI's own entry in this process (lib/testing/cli.ts), on an embedded database of its own that its first
 * command creates and migrates, as a user's first command does.
 */
async function custody(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { status, stdout, stderr } = await runCli(args, { env: { CUSTODY_DATA_DIR: path.join(dir, "pglite"), DATABASE_URL: undefined } });
  return { code: status, stdout, stderr };
}

describe("custody partitions, archive, verify-archive", () => {
  it("lists this month's partitions, created by the migration without any step", async () => {
    const r = await custody(["partitions"]);
    expect(r.code).toBe(0);
    const month = `ledger_events_p${new Date().toISOString().slice(0, 4)}m${new Date().toISOString().slice(5, 7)}`;
    expect(r.stdout).toContain(month);
    expect(r.stdout).toMatch(/audit_log_default\s+default/);
  }, 60_000);

  it("refuses a missing or bad date with its usage, and archives nothing when no month ends before the date", async () => {
    expect((await custody(["archive"])).code).toBe(2);
    const bad = await custody(["archive", "--before", "last tuesday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/usage: custody archive --before/);
    const none = await custody(["archive", "--before", "2000-01-01", "--out", path.join(dir, "out")]);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/nothing archived/);
  }, 60_000);

  it("says an archive file that is not one is broken, with exit 1", async () => {
    const file = path.join(dir, "not-an-archive.jsonl.gz");
    writeFileSync(file, gzipSync('{"format":"something-else"}\n'));
    const r = await custody(["verify-archive", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/archive BROKEN: not a custody-archive\/1 file/);
  }, 60_000);
});
