import { describe, expect, it } from "vitest";
import { refuseSecretValues } from "./secret-values";

const where = (json: unknown): string | null => {
  try {
    refuseSecretValues(json);
    return null;
  } catch (error) {
    return (error as Error).message.split(":")[0] ?? "";
  }
};

describe("refuseSecretValues", () => {
  const hashed = { namespace: "shop", kind: "Secret", name: "db", dataHash: `sha256:${"a".repeat(64)}` };

  it("names the config or Secret object that carries values, in a single snapshot and in a batch", () => {
    expect(where({ type: "snapshot", configs: [hashed, { ...hashed, name: "x", data: { password: "cHc=" } }] })).toBe("snapshot.configs.1");
    expect(where({ type: "snapshot", configs: [{ namespace: "shop", kind: "ConfigMap", name: "c", stringData: { a: "b" } }] })).toBe("snapshot.configs.0");
    expect(where({ events: [{ type: "deployment" }, { type: "snapshot", otherObjects: [{ kind: "Secret", name: "s", data: {} }] }] })).toBe("events.1.otherObjects.0");
    expect(where({ type: "snapshot", workloads: [{ extra: { nested: { kind: "Secret", binaryData: {} } } }] })).toBe("snapshot.workloads.0.extra.nested");
  });

  it("takes hashes, other events' data fields and ConfigMaps outside configs", () => {
    expect(where({ type: "snapshot", configs: [hashed], workloads: [{ data: { x: 1 } }] })).toBeNull();
    expect(where({ type: "attestation", details: { kind: "Secret", data: "x" } })).toBeNull();
  });
});
