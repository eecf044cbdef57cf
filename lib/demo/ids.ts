import { createHash } from "node:crypto";

const hex = (algorithm: "sha1" | "sha256", input: string): string => createHash(algorithm).update(input).digest("hex");

/**
 * Every identifier in the demo comes from a counter hashed with the seed, so the same seed gives the
 * same SHAs, digests and ids, and two seeds never collide.
 */
export class DemoIds {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: number) {}

  private count(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  /** A unique event id, readable enough to spot its type in a ledger listing. */
  event(type: string): string {
    return `demo-${this.seed}-${type}-${String(this.count(`event:${type}`)).padStart(5, "0")}`;
  }

  commitSha(): string {
    return hex("sha1", `custody-demo:${this.seed}:commit:${this.count("commit")}`);
  }

  digest(): string {
    return `sha256:${hex("sha256", `custody-demo:${this.seed}:image:${this.count("image")}`)}`;
  }

  configHash(service: string, environment: string): string {
    return hex("sha256", `custody-demo:${this.seed}:config:${service}:${environment}:${this.count("config")}`);
  }

  /** GitHub-sized numeric ids (run ids, review ids, check ids), increasing like the real ones. */
  numeric(kind: "run" | "review" | "check" | "audit"): string {
    const bases = { run: 11_200_000_000, review: 2_310_000_000, check: 30_100_000_000, audit: 0 } as const;
    const n = this.count(`numeric:${kind}`);
    if (kind === "audit") {
      const h = hex("sha256", `custody-demo:${this.seed}:audit:${n}`);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    return String(bases[kind] + n * 1_013 + (this.seed % 997));
  }

  /** Stable per-name digests for base images, independent of the seed like real upstream images. */
  static baseDigest(ref: string): string {
    return `sha256:${hex("sha256", `custody-demo:base:${ref}`)}`;
  }
}
