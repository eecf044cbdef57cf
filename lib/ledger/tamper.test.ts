import { createPublicKey } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { chainHeads, ledgerEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import { ingestEvents } from "../ingest/events-api";
import { testSigningKey } from "../reports/test-support";
import { GENESIS_HASH, sha256Hex } from "./chain";
import { signCheckpointAt } from "./checkpoints";
import { ledgerEntryHash, verifyLedger } from "./ledger";
import { Frontier } from "./merkle";
import { entryLeafHash } from "./tree";
import { verifyAgainstWitnessed, verifyTree } from "./verify-tree";
import { witnessFileName } from "./witness";

/**
 * The attack the Merkle log exists for: someone with the database owner's powers disables the
 * append-only triggers, rewrites an entry, recomputes the whole hash chain and the tree's right
 * edge, and removes the checkpoints. The chain then verifies; the witnessed checkpoints do not.
 */
let h: DatabaseHandle;
let server: Server;
const posted: string[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), "custody-witness-"));
const key = testSigningKey();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      posted.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  process.env.CUSTODY_WITNESS_DIR = dir;
  // Checkpoints signed after each ingest use the same key as the ones signed here.
  process.env.CUSTODY_SIGNING_KEY = key.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  process.env.CUSTODY_WITNESS_URL = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/witness`;
  h = await createTestDatabase();
  const events = Array.from({ length: 150 }, (_, i) => ({ id: `t-${i}`, type: "attestation", occurredAt: "2026-11-01T10:00:00Z", attestationType: "backup-verification", subject: "production", result: "pass" }));
  await ingestEvents(h.db, { events: events.slice(0, 5) }, JSON.stringify({ events: events.slice(0, 5) }));
  await signCheckpointAt(h.db, 5, "entries", key);
  await ingestEvents(h.db, { events: events.slice(5) }, JSON.stringify({ events: events.slice(5) }));
  await signCheckpointAt(h.db, 150, "entries", key);
}, 120_000);
afterAll(async () => {
  await h?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("checkpoints witnessed outside the database", () => {
  it("are written to the witness directory and POSTed to the witness URL as they are signed", () => {
    expect(readdirSync(dir).filter((f) => f.endsWith(".txt"))).toEqual(expect.arrayContaining([witnessFileName(5), witnessFileName(150)]));
    const note = readFileSync(path.join(dir, witnessFileName(150)), "utf8");
    expect(note).toMatch(/^custody\.local\/ledger\n150\n[A-Za-z0-9+/]{43}=\n\n— custody\.local\/ledger [A-Za-z0-9+/=]+\n$/);
    expect(posted).toContain(note);
  });

  it("catch a privileged rewrite that recomputed the whole chain, naming the first divergent checkpoint", async () => {
    const publicKey = createPublicKey(key.publicKeyPem);
    const before = await verifyAgainstWitnessed(h.db, dir, publicKey);
    expect(before).toMatchObject({ ok: true, divergence: null });
    expect(before.matched).toBeGreaterThanOrEqual(2);

    await h.db.transaction(async (tx) => {
      await tx.execute(sql`alter table ledger_events disable trigger user`);
      await tx.execute(sql`alter table ledger_checkpoints disable trigger user`);
      await tx.execute(sql`update ledger_events set body = ${'{"id":"t-9","forged":true}'} where seq = 10`);
      let prev = GENESIS_HASH;
      const frontier = Frontier.empty();
      for (const e of await tx.select().from(ledgerEvents).orderBy(asc(ledgerEvents.seq))) {
        const bodySha256 = sha256Hex(e.body);
        const hash = ledgerEntryHash(prev, { ...e, bodySha256 });
        await tx.update(ledgerEvents).set({ bodySha256, prevHash: prev, hash }).where(eq(ledgerEvents.seq, e.seq));
        frontier.append(entryLeafHash(hash, e.hashVersion));
        prev = hash;
      }
      await tx.update(chainHeads).set({ hash: prev, frontier: frontier.serialize() }).where(eq(chainHeads.chain, "ledger"));
      await tx.execute(sql`delete from ledger_checkpoints`);
      await tx.execute(sql`alter table ledger_events enable trigger user`);
      await tx.execute(sql`alter table ledger_checkpoints enable trigger user`);
    });

    expect(await verifyLedger(h.db)).toMatchObject({ ok: true, events: 150 });
    expect(await verifyTree(h.db)).toMatchObject({ ok: true });
    const caught = await verifyAgainstWitnessed(h.db, dir, publicKey);
    expect(caught.ok).toBe(false);
    expect(caught.divergence).toMatchObject({ file: witnessFileName(150), treeSize: 150, lastMatchingSize: 5 });
    expect(caught.divergence?.message).toContain("entries 6..150 were rewritten");
  });

  it("refuse a witness file not signed by the trusted key, by name", async () => {
    const other = createPublicKey(testSigningKey().publicKeyPem);
    const r = await verifyAgainstWitnessed(h.db, dir, other);
    expect(r.ok).toBe(false);
    expect(r.unreadable.map((u) => u.file)).toContain(witnessFileName(5));
  });
});
