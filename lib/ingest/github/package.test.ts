import { type PackageEvent } from "@octokit/webhooks-types";
import { describe, expect, it } from "vitest";
import { mapGithubDelivery } from "./index";
import { exampleOf, oneOf } from "./test-examples";

const delivery = "6f3b9c2e-1a2b-11ef-8000-000000000006";
const isContainer = (p: PackageEvent) => p.package.registry.type === "CONTAINER";

function containerVersion(payload: PackageEvent) {
  const version = payload.package.package_version;
  if (version === null || !version.container_metadata) throw new Error("example changed");
  return { version, meta: version.container_metadata };
}

describe("package", () => {
  it("maps a published container image to an image build", () => {
    const payload = exampleOf("package", isContainer);
    const { version, meta } = containerVersion(payload);
    const mapping = mapGithubDelivery("package", delivery, payload);
    expect(oneOf(mapping, "image_build")).toEqual({
      id: `github:${delivery}:0`,
      type: "image_build",
      // The version's own dates are Go's zero time (0001-01-01), so the package's date stands in.
      occurredAt: payload.package.updated_at,
      repository: `ghcr.io/${payload.package.owner.login}/${payload.package.name}`.toLowerCase(),
      digest: version.version,
      // The example's only tag name is empty.
      tags: [],
      // target_commitish is a branch ("master"); the OCI revision label names the commit.
      commitSha: new Map(Object.entries(meta.labels?.all_labels ?? {})).get("org.opencontainers.image.revision"),
      builder: payload.sender.login,
    });
    // Its tag and manifest "digests" are a 40-hex commit SHA with a sha256: prefix: noted, not used.
    expect(meta.tag?.digest).toMatch(/^sha256:[a-f0-9]{40}$/);
    expect(mapping).toMatchObject({
      notes: [expect.stringContaining("container_metadata.tag.digest"), expect.stringContaining("container_metadata.manifest.digest")],
    });
  });

  it("uses nothing from a package whose only digest is not an OCI digest, and says so", () => {
    const payload = exampleOf("package", isContainer);
    const { version } = containerVersion(payload);
    version.version = "1.0.0";
    version.name = "1.0.0";
    expect(mapGithubDelivery("package", delivery, payload)).toEqual({
      status: "not-used",
      reason: expect.stringMatching(/tag\.digest: .* is not an OCI digest/),
    });
  });

  it("uses nothing from a package that is not a container image", () => {
    const payload = exampleOf("package", (p) => !isContainer(p));
    expect(mapGithubDelivery("package", delivery, payload)).toEqual({
      status: "not-used",
      reason: expect.stringContaining(payload.package.package_type),
    });
  });

  it("names github-actions as the builder when a bot published, and collects tags", () => {
    const payload = exampleOf("package", isContainer);
    const { meta, version } = containerVersion(payload);
    payload.sender = { ...payload.sender, login: "github-actions[bot]", type: "Bot" };
    meta.tag = { name: "1f2e3d4", digest: version.version };
    version.metadata = [{ container: { tags: ["1f2e3d4", "v1.4.0"] } }];
    version.target_commitish = "1f2e3d4c5b6a79881726354453627180f9e8d7c6";
    expect(oneOf(mapGithubDelivery("package", delivery, payload), "image_build")).toMatchObject({
      builder: "github-actions",
      tags: ["1f2e3d4", "v1.4.0"],
      commitSha: version.target_commitish,
    });
  });
});

describe("registry_package", () => {
  it("maps the same container version delivered under the registry_package name", () => {
    // GitHub ships no registry_package example; its body is the package event's body renamed.
    const { package: body, ...rest } = exampleOf("package", isContainer);
    const fromPackage = oneOf(mapGithubDelivery("package", delivery, { ...rest, package: body }), "image_build");
    const fromRegistry = oneOf(mapGithubDelivery("registry_package", delivery, { ...rest, registry_package: body }), "image_build");
    expect(fromRegistry).toEqual(fromPackage);
  });
});
