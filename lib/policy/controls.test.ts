import { describe, expect, it } from "vitest";
import { control, controlLabel, controls } from "./controls";

describe("controls", () => {
  it("knows the ISO 27001 Annex A and SOC 2 ids Custody maps to, with short titles", () => {
    expect(controlLabel(control("iso27001", "8.32"))).toBe("8.32 Change management");
    expect(control("soc2", "CC8.1").framework).toBe("soc2");
    expect(controls.filter((c) => c.framework === "iso27001")).toHaveLength(20);
    expect(controls.filter((c) => c.framework === "soc2")).toHaveLength(15);
  });

  it("rejects ids that do not exist or belong to the other framework", () => {
    expect(() => control("soc2", "CC8.2")).toThrow(/unknown SOC 2 Trust Services Criteria control id "CC8.2"/);
    expect(() => control("iso27001", "CC8.1")).toThrow(/unknown/);
    expect(() => control("iso27001", "toString")).toThrow(/unknown/);
  });
});
