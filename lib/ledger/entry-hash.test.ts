import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chainHash } from "./chain";
import { ledgerEntryHash, ledgerHashFields } from "./ledger";

describe("ledgerEntryHash", () => {
  it("equals the generic canonical-JSON chain hash for any entry, awkward text included", () => {
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
        }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (e, prev) => {
          expect(ledgerEntryHash(prev, e)).toBe(chainHash(prev, ledgerHashFields(e)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
