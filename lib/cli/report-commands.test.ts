import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "@/db/testing";
import { generateDemoEvents } from "../demo/generate";
import { ingestEvents } from "../ingest/events-api";
import { evidencePackage } from "../reports/package";
import { parseReportParams } from "../reports/params";
import { buildReport } from "../reports/report";
import { collect, rezip, testSigningKey, unzip } from "../reports/test-support";
import { main } from "./main";

let handle: Awaited<ReturnType<typeof createTestDatabase>>;
const dir = mkdtempSync(path.join(os.tmpdir(), "custody-verify-"));
const key = testSigningKey();
const keyFile = path.join(dir, "custody.pem");
const pkgFile = path.join(dir, "evidence.zip");

beforeAll(async () => {
  handle = await createTestDatabase();
  const body = { events: generateDemoEvents({ days: 30 }).slice(0, 400) };
  await ingestEvents(handle.db, body, JSON.stringify(body));
  const p = parseReportParams("soc2", { from: "2026-10-28", to: "2026-11-27", sample: "3", seed: "cli" });
  const pkg = evidencePackage(handle.db, p, await buildReport(handle.db, p), key);
  writeFileSync(pkgFile, await collect(pkg.stream));
  await pkg.done;
  writeFileSync(keyFile, key.publicKeyPem);
}, 180_000);
afterAll(async () => handle?.close());

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await main(argv), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

describe("custody verify-package", () => {
  it("exits 0 for an untouched package checked against the instance key", async () => {
    const r = await run(["verify-package", pkgFile, "--key", keyFile]);
    expect(r.out).toContain("package verified");
    expect(r.code).toBe(0);
  });

  it("without a trusted key says integrity only and exits 1, unless --allow-unverified-signer", async () => {
    const r = await run(["verify-package", pkgFile]);
    expect(r.out).toContain("integrity only: signer not verified");
    expect(r.code).toBe(1);
    const allowed = await run(["verify-package", pkgFile, "--allow-unverified-signer"]);
    expect(allowed.out).toContain("integrity only: signer not verified");
    expect(allowed.code).toBe(0);
  });

  it("proves the signer with keys fetched from --keys-url, and checks the ledger proofs", async () => {
    const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [{ keyId: key.keyId, publicKeyPem: key.publicKeyPem }] })));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    try {
      const r = await run(["verify-package", pkgFile, "--keys-url", `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1/keys`]);
      expect(r.out).toMatch(/ledger proofs: \d+ entries behind 3 sampled changes are in the log of 400 entries/);
      expect(r.out).toContain("package verified: signed by a key you gave");
      expect(r.code).toBe(0);
    } finally {
      server.close();
    }
  });

  it("names the file that was changed and exits 1", async () => {
    const files = await unzip(readFileSync(pkgFile));
    files.set("policy.json", Buffer.from('{"version":"loosened"}'));
    const tampered = path.join(dir, "tampered.zip");
    writeFileSync(tampered, await rezip(files));
    const r = await run(["verify-package", tampered, "--key", keyFile]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("CHANGED\tpolicy.json");
    expect(r.out).toContain("package NOT verified");
  });

  it("exits 2 with usage when no file is given, and 1 for a file that is not a zip", async () => {
    expect((await run(["verify-package"])).code).toBe(2);
    const junk = path.join(dir, "junk.zip");
    writeFileSync(junk, "not a zip");
    expect((await run(["verify-package", junk])).code).toBe(1);
  });
});
