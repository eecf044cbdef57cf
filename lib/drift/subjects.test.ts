import { describe, expect, it } from "vitest";
import { controllerSubject, execSubject, serviceSubject, subjectLabel, workloadSubject } from "./subjects";

describe("subjectLabel", () => {
  const w = { environment: "production", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" };

  it("tells a controller's finding from its container's, which share a rule and a summary", () => {
    expect(subjectLabel(controllerSubject(w))).toBe("Deployment shop/checkout (the controller)");
    expect(subjectLabel(workloadSubject(w))).toBe("Deployment shop/checkout, container app");
  });

  it("names the pod and the person of an exec finding, whatever the username holds", () => {
    expect(subjectLabel(execSubject("production", "shop", "checkout-7d9f-abcde", "alice@example.com"))).toBe("Pod shop/checkout-7d9f-abcde, a shell opened by alice@example.com");
    expect(subjectLabel(execSubject("production", "shop", "checkout-7d9f-abcde", "https://issuer.example/#bob"))).toBe("Pod shop/checkout-7d9f-abcde, a shell opened by https://issuer.example/#bob");
  });

  it("names a service, and shows any other key as it is stored", () => {
    expect(subjectLabel(serviceSubject("checkout"))).toBe("service checkout");
    expect(subjectLabel("image:ghcr.io/acme/checkout@sha256:abc")).toBe("image:ghcr.io/acme/checkout@sha256:abc");
  });
});
