import { afterEach, describe, expect, it } from "vitest";
import { parseInstant } from "./cursor";

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe("parseInstant", () => {
  it("reads a time without a zone as UTC whatever the server's zone, as the environment page's picker means it", () => {
    for (const tz of ["UTC", "America/New_York", "Asia/Tokyo"]) {
      process.env.TZ = tz;
      expect(parseInstant("at", "2026-10-15T12:00")?.toISOString(), tz).toBe("2026-10-15T12:00:00.000Z");
      expect(parseInstant("at", "2026-10-15")?.toISOString(), tz).toBe("2026-10-15T00:00:00.000Z");
      expect(parseInstant("at", "2026-10-15T12:00:00+02:00")?.toISOString(), tz).toBe("2026-10-15T10:00:00.000Z");
    }
  });

  it("answers a 400 naming the parameter for anything else", () => {
    expect(() => parseInstant("at", "15/10/2026")).toThrow(/at: must be an ISO-8601 date-time/);
    expect(() => parseInstant("at", "2026-13-45T99:00")).toThrow(/at:/);
    expect(parseInstant("at", "")).toBeUndefined();
  });
});
