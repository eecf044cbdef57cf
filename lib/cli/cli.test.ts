import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDataDir } from "@/db/testing";
import { runCli, spawnCli, type CliOptions } from "../testing/cli";

const root = path.join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "custody-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The embedded database the commands share, as the CLI's first command leaves it (the migrated template):
// that first start is Playwright's (`custody start` on a new data folder) and lib/cli/partition-commands.test.ts's.
beforeAll(() => createTestDataDir(path.join(dir, "pglite")));

const embedded = (opts: CliOptions) => ({ ...opts, env: { CUSTODY_DATA_DIR: path.join(dir, "pglite"), DATABASE_URL: undefined, ...opts.env } });
/** The CLI's own entry in this process (lib/testing/cli.ts), on the embedded database of this file unless env says otherwise. */
const custody = (args: string[], opts: CliOptions = {}) => runCli(args, embedded(opts));
/** The real CLI in a process of its own, as a user runs it: for the errors that must reach the terminal as one line. */
const spawned = (args: string[], opts: CliOptions = {}) => spawnCli(args, embedded(opts));

const auditLine = readFileSync(path.join(root, "lib", "ingest", "kubernetes", "fixtures", "audit.log"), "utf8").split("\n").find((l) => l.includes('"exec"')) ?? "";
const oneLine = (s: string) => s.trim().split("\n").length === 1 && !/\n\s+at /.test(s);

vi.setConfig({ testTimeout: 300_000 });

describe("custody CLI refuses bad configuration in one line, touching nothing", () => {
  it("names a malformed DATABASE_URL", async () => {
    const r = await spawned(["migrate"], { env: { DATABASE_URL: "mysql://root@localhost/custody" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL must be a postgres:\/\//);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it("says which database it cannot reach", async () => {
    const r = await spawned(["migrate"], { env: { DATABASE_URL: "postgres://custody:hunter2@127.0.0.1:1/custody" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the database at postgres:\/\/custody:\*\*\*@127\.0\.0\.1:1\/custody/);
    expect(r.stderr).not.toContain("hunter2");
    expect(oneLine(r.stderr)).toBe(true);
  });

  it("says the data folder is not writable", async () => {
    const file = path.join(dir, "not-a-folder");
    writeFileSync(file, "x");
    const r = await spawned(["migrate"], { env: { CUSTODY_DATA_DIR: path.join(file, "pglite") } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not writable.*CUSTODY_DATA_DIR/);
    expect(oneLine(r.stderr)).toBe(true);
  });

  it("refuses to load the demo into a DATABASE_URL database unless told its name, touching nothing", async () => {
    // An unreachable server: the refusal comes before any connection is attempted.
    const r = await custody(["demo"], { env: { DATABASE_URL: "postgres://custody@127.0.0.1:1/payments_prod" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refusing to load sample data into the database "payments_prod"');
    expect(r.stderr).toContain("--yes-load-demo-into payments_prod");
    const wrong = await custody(["demo", "--yes-load-demo-into", "other"], { env: { DATABASE_URL: "postgres://custody@127.0.0.1:1/payments_prod" } });
    expect(wrong.status).toBe(2);
  });

  it("explains usage errors with exit code 2", async () => {
    const r = await custody(["token", "create", "--name", "ci"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--scopes is required/);
  });
});

describe("custody CLI on the embedded database", () => {
  it("creates a token shown once and pushes events, answering duplicates on a resend", async () => {
    const token = await custody(["token", "create", "--name", "ci", "--scopes", "ingest"]);
    expect(token.status).toBe(0);
    expect(token.stdout).toMatch(/cust_[A-Za-z0-9_-]{43}/);
    const file = path.join(dir, "events.json");
    const event = { id: "cli-1", type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" };
    writeFileSync(file, JSON.stringify({ events: [event] }));
    expect((await custody(["push", file])).stdout).toContain("accepted 1, duplicates 0");
    expect((await custody(["push", file])).stdout).toContain("accepted 0, duplicates 1");
  });

  it("creates a scoped, expiring ingest token as the issue describes, and lists its scope", async () => {
    const r = await custody(["token", "create", "--types", "deployment,snapshot", "--environments", "staging,production", "--expires", "90d"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(ingest; types deployment, snapshot; environments staging, production; expires 20\d\d-/);
    const list = await custody(["token", "list"]);
    expect(list.stdout).toMatch(/ingest\ttypes deployment, snapshot; environments staging, production; expires/);
    const bad = await custody(["token", "create", "--types", "deploy"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/types: unknown event type "deploy"/);
  });

  it("creates an admission token for the cluster's webhook, and names the scopes it knows when one is wrong", async () => {
    const r = await custody(["token", "create", "--name", "k8s-admission", "--scopes", "admission"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/"k8s-admission" \(admission; /);
    const bad = await custody(["token", "create", "--name", "x", "--scopes", "webhook"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown scope "webhook" \(use ingest, read, admission\)/);
  });

  it("reads kubectl get pods -A -o json from stdin", async () => {
    const pods = readFileSync(path.join(root, "lib", "ingest", "kubernetes", "fixtures", "pods.json"), "utf8");
    const r = await custody(["snapshot", "k8s", "--environment", "production"], { input: pods });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("accepted 1");
  });

  it("records what a pipeline's migrate step applied, then reads the database's Flyway history and names the migration no pipeline applied", async () => {
    const history = readFileSync(path.join(root, "lib", "ingest", "migrations", "fixtures", "flyway_schema_history.csv"), "utf8").trim().split("\n");
    const before = path.join(dir, "flyway-before.csv");
    writeFileSync(before, `${history.slice(0, 2).join("\n")}\n`);
    const where = ["--tool", "flyway", "--environment", "production", "--database", "orders"];
    const recorded = await custody(["migrations", "record", ...where, "--pipeline", "github-actions:9001", "--before", before], { input: history.slice(0, 4).join("\n") });
    expect(recorded.status).toBe(0);
    expect(recorded.stdout).toContain("orders (production): 1, 2 recorded as applied by github-actions run 9001");
    const snap = await custody(["snapshot", "migrations", ...where], { input: history.join("\n") });
    expect(snap.stderr).toContain("left out: row 1: Flyway SCHEMA marker");
    expect(snap.stdout).toContain("orders (production): 3 migrations applied");
    const unknown = await custody(["snapshot", "migrations", "--tool", "sqitch", "--environment", "production", "--database", "orders"], { input: "" });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/--tool must be one of flyway, liquibase, alembic, rails, prisma, drizzle/);
  });

  it("names the audit-log line that is not JSON, and stores nothing", async () => {
    const r = await custody(["audit", "k8s", "--environment", "production"], { input: `${auditLine}\nnot json\n` });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/line 2/);
  });

  it("attests a digest with the JSON lines of gh attestation download, says what verified, and refuses a bundle without a certificate", async () => {
    // Real bundles from the GitHub CLI's test data (MIT): lib/provenance/fixtures/README.md.
    const fixtures = path.join(root, "lib", "provenance", "fixtures");
    const digest = "sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988";
    const first = await custody(["attest", path.join(fixtures, "sigstore-js-2.1.0-bundle.json"), "--digest", digest]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toContain("accepted 1, duplicates 0");
    expect(first.stdout).toMatch(/verified, subject does not match sha256:1f2e.*release\.yml@refs\/heads\/main/);
    const github = await custody(["attest", path.join(fixtures, "github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl")]);
    expect(github.stdout).toContain("not verified: untrusted CA");
    const again = await custody(["attest", path.join(fixtures, "sigstore-js-2.1.0-bundle.json"), "--digest", digest]);
    expect(again.stdout).toContain("accepted 0, duplicates 1");
    const broken = await custody(["attest", path.join(fixtures, "github_provenance_demo-0.0.12-py3-none-any-bundle-missing-cert.jsonl")]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/no certificate or key/);
  });

  it("verifies the ledger it wrote", async () => {
    const r = await custody(["verify"]);
    expect(r.status).toBe(0);
    // What the tests above stored: the pushed event (its resend is a duplicate), the cluster snapshot and the
    // attestation bundles (4 entries before), then the pipeline's migration record and the Flyway history (3).
    expect(r.stdout).toMatch(/ledger ok: 7 entries/);
    expect(r.stdout).toMatch(/merkle tree ok: 7 entries/);
  });
});
