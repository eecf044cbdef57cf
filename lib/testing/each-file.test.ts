import { describe, expect, it } from "vitest";
import { config } from "../config";

/**
 * lib/testing/each-file.ts: a test file's own settings count however the configuration was read
 * before them (work an earlier file left running may read it between the reset and the settings).
 */
describe("the environment of a test file", () => {
  it("forgets the configuration read before a setting changed, and after one is removed", () => {
    expect(config().organisation).toBeUndefined();
    Object.assign(process.env, { CUSTODY_ORGANISATION: "Acme Payments Ltd" });
    expect(config().organisation).toBe("Acme Payments Ltd");
    delete process.env.CUSTODY_ORGANISATION;
    expect(config().organisation).toBeUndefined();
  });
});
