import { describe, expect, it } from "vitest";
import { findingHeadline } from "./headline";

describe("a finding's headline", () => {
  it("says a failed check failed, instead of reading as the check's pass", () => {
    expect(findingHeadline("image.no-baked-secrets")).toBe("Check failed: Secret scan of the image passed");
    expect(findingHeadline("merge.independent-approval")).toBe("Check failed: Approved by someone other than its authors");
  });

  it("keeps a drift rule's title, which names the problem, and an unknown rule's id", () => {
    expect(findingHeadline("drift.unrecorded-digest")).toBe("Running digest has no deployment record");
    expect(findingHeadline("custom.rule")).toBe("custom.rule");
  });
});
