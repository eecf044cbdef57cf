import { describe, expect, it } from "vitest";
import { digestFromImageId } from "./image-digest";

const hex = "367da6bd8b93b9256d39a8938971e67a24f43fc0aeab9f4b9fe2ee2b721cce99";

describe("digestFromImageId", () => {
  it.each([
    [`ghcr.io/acme/checkout@sha256:${hex}`, "containerd repo digest"],
    [`docker-pullable://ghcr.io/acme/checkout@sha256:${hex}`, "dockershim repo digest"],
    [`sha256:${hex}`, "containerd local image id"],
    [`docker://sha256:${hex}`, "docker local image id"],
  ])("reads %s (%s)", (imageId) => {
    expect(digestFromImageId(imageId)).toBe(`sha256:${hex}`);
  });

  it.each<[string | undefined, string]>([
    ["", "a pod still pulling reports an empty imageID"],
    [undefined, "no imageID at all"],
    [`ghcr.io/acme/checkout@sha256:${hex.toUpperCase()}`, "uppercase hex is not an OCI digest"],
    [`ghcr.io/acme/checkout@sha256:${hex.slice(1)}`, "63 hex characters"],
    [`ghcr.io/acme/checkout@sha512:${hex}${hex}`, "another algorithm"],
    ["ghcr.io/acme/checkout:latest", "a tag"],
  ])("returns null for %j (%s)", (imageId) => {
    expect(digestFromImageId(imageId)).toBeNull();
  });
});
