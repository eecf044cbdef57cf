import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, chainHash, sha256Hex } from "./chain";
import { ledgerEntryHash, ledgerHashFields } from "./ledger";

describe("ledgerEntryHash", () => {
  it("equals the generic canonical-JSON chain hash for any entry of either version, awkward text included", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          source: text,
          eventType: text,
          deliveryId: text,
          contentType: fc.option(text),
          receivedAt: fc.date({ min: new Date("1970-01-01"), max: new Date("2999-12-31"), noInvalidDate: true }),
          bodySha256: fc.stringMatching(/^[0-9a-f]{64}$/),
          status: fc.constantFrom("used", "not-used", "rejected"),
          reason: fc.option(text),
          principal: fc.option(text),
          hashVersion: fc.constantFrom(1, 2, undefined),
        }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (e, prev) => {
          // v1: chainHash of the fields; v2: the RFC 9162 leaf hash of the same text (0x00 first), principal among the fields.
          const generic = (e.hashVersion ?? 1) >= 2 ? sha256Hex(Buffer.concat([Buffer.from([0]), Buffer.from(`${prev}\n${canonicalJson(ledgerHashFields(e))}`)])) : chainHash(prev, ledgerHashFields(e));
          expect(ledgerEntryHash(prev, e)).toBe(generic);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("covers the principal from version 2 on, and version 1 hashes stay what they were", () => {
    const e = { seq: 7, source: "events", eventType: "attestation", deliveryId: "a-1", contentType: "application/json", receivedAt: new Date("2026-11-01T10:00:00Z"), bodySha256: "ab".repeat(32), status: "used", reason: null };
    const prev = "0".repeat(64);
    // The v1 text, as ledgers stored before the versions hashed it: no principal key.
    expect(ledgerEntryHash(prev, { ...e, principal: "token:a" })).toBe(chainHash(prev, { ...ledgerHashFields(e) }));
    expect(ledgerEntryHash(prev, { ...e, principal: "token:a", hashVersion: 1 })).toBe(ledgerEntryHash(prev, { ...e, principal: "token:b", hashVersion: 1 }));
    const v2 = ledgerEntryHash(prev, { ...e, principal: "token:a", hashVersion: 2 });
    expect(v2).not.toBe(ledgerEntryHash(prev, { ...e, principal: "token:b", hashVersion: 2 }));
    expect(v2).not.toBe(ledgerEntryHash(prev, { ...e, principal: "token:a", hashVersion: 1 }));
    // A v2 entry without a principal still differs from its v1 reading: the key is always there.
    expect(ledgerEntryHash(prev, { ...e, principal: null, hashVersion: 2 })).not.toBe(ledgerEntryHash(prev, { ...e, principal: null, hashVersion: 1 }));
  });
});
