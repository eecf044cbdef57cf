import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { closeDb } from "@/lib/db";
import { collect, demoPeriod, testSigningKey } from "@/lib/reports/test-support";
import { verifyPackage } from "@/lib/reports/verify-package";
import { setupRouteHarness, type RouteHarness } from "@/lib/testing/route-harness";
import { GET as keysGet } from "../../keys/route";
import { GET } from "./route";

const key = testSigningKey();
process.env.CUSTODY_SIGNING_KEY = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
let h: RouteHarness;

beforeAll(async () => {
  h = await setupRouteHarness({ demo: "30-days" });
}, 240_000);
afterAll(async () => {
  await closeDb();
});

const get = (framework: string, query: Record<string, string>) =>
  GET(
    new Request(`http://localhost/api/v1/reports/${framework}?${new URLSearchParams({ ...demoPeriod, ...query })}`, {
      headers: { authorization: `Bearer ${h.tokens.read}` },
    }),
    { params: Promise.resolve({ framework }) },
  );

describe("GET /api/v1/reports/{framework}", () => {
  it("streams the population CSV with its period, filters, row count and generator in headers", async () => {
    const res = await get("soc2", { format: "csv", kind: "population" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toContain("custody-soc2-2026-10-28-2026-11-27-population.csv");
    expect(res.headers.get("x-custody-period")).toBe("2026-10-28T00:00:00.000Z/2026-11-28T00:00:00.000Z");
    const rows = parse(Buffer.from(await res.arrayBuffer()), { columns: true, bom: true }) as unknown[];
    expect(rows.length).toBe(Number(res.headers.get("x-custody-row-count")));
    expect(rows.length).toBeGreaterThan(20);
  });

  it("returns a PDF whose SHA-256 header matches its bytes, and records the export in the audit log", async () => {
    const res = await get("iso27001", { format: "pdf", sample: "3", seed: "42" });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    const sha = createHash("sha256").update(body).digest("hex");
    expect(res.headers.get("x-custody-sha256")).toBe(sha);
    const [entry] = await queryRows<{ actor: string; action: string; details: Record<string, unknown> }>(
      h.handle.db,
      sql`select actor, action, details from audit_log where action = 'report.export' order by seq desc limit 1`,
    );
    expect(entry).toMatchObject({ actor: "auditor-tool", action: "report.export" });
    expect(entry?.details).toMatchObject({ framework: "iso27001", format: "pdf", seed: "42", sampleSize: 3, sha256: sha });
  });

  it("delivers a package that verifies against the key published at /api/v1/keys", async () => {
    const keys = (await (await keysGet(new Request("http://localhost/api/v1/keys"), { params: Promise.resolve({}) })).json()) as {
      keys: { keyId: string; publicKeyPem: string; jwk: { kty: string; crv: string; kid: string } }[];
    };
    expect(keys.keys[0]).toMatchObject({ keyId: key.keyId, jwk: { kty: "OKP", crv: "Ed25519", kid: key.keyId } });
    const res = await get("soc2", { format: "zip", sample: "4", seed: "pkg" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-custody-key-id")).toBe(key.keyId);
    const zip = await collect(res.body as ReadableStream<Uint8Array>);
    const result = await verifyPackage(zip, keys.keys[0]?.publicKeyPem);
    expect(result.ok).toBe(true);
    // The export's one entry is written just after the last byte leaves: poll for it.
    const completed = async () =>
      (
        await queryRows<{ details: Record<string, unknown> }>(
          h.handle.db,
          sql`select details from audit_log where action = 'report.export' and details->>'format' = 'zip' order by seq desc limit 1`,
        )
      )[0];
    for (let i = 0; i < 50 && !(await completed()); i++) await new Promise((r) => setTimeout(r, 100));
    expect((await completed())?.details.sha256).toBe(createHash("sha256").update(zip).digest("hex"));
  });

  it("writes exactly one audit-log entry per export, whatever the format, streamed ones once the last byte is out", async () => {
    const count = async () =>
      Number((await queryRows<{ n: string }>(h.handle.db, sql`select count(*) as n from audit_log where action like 'report.export%'`))[0]?.n ?? 0);
    for (const [format, kind] of [["json", undefined], ["pdf", undefined], ["csv", "population"], ["csv", "exceptions"], ["csv", "checks"], ["zip", undefined]] as const) {
      const before = await count();
      const res = await get("soc2", { format, ...(kind ? { kind } : {}), sample: "2", seed: "once" });
      expect(res.status, `${format} ${kind ?? ""}`).toBe(200);
      await res.arrayBuffer();
      for (let i = 0; i < 50 && (await count()) === before; i++) await new Promise((r) => setTimeout(r, 100));
      // Give a second entry (the old "started" + "completed" pair) the time to show up, then count.
      await new Promise((r) => setTimeout(r, 200));
      expect(await count(), `${format} ${kind ?? ""}`).toBe(before + 1);
    }
  });

  it("answers the report as JSON with the per-control summary and the sample", async () => {
    const res = await get("soc2", { sample: "5", seed: "json" });
    const body = (await res.json()) as { populationSize: number; controls: { control: { id: string } }[]; sample: { seed: string; changeIds: string[] } };
    expect(body.sample).toMatchObject({ seed: "json" });
    expect(body.sample.changeIds).toHaveLength(5);
    expect(body.controls.map((c) => c.control.id)).toContain("CC8.1");
    expect(body.controls.map((c) => c.control.id)).not.toContain("8.32");
  });
});
