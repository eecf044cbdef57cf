import { mergeNoManualInstructions } from "@/lib/policy/checks/merge-no-manual-instructions";
import { compliantEvidence, makePullRequest } from "@/lib/policy/fixtures.test-helpers";
import { defaultPolicy } from "@/lib/policy/settings";
import { percentile, type BenchContext, type Figure } from "./figure";

/**
 * The manual-instruction check on hostile PR bodies: `ssh -a ` repeated to GitHub's maximum body
 * (65,536 characters) and to 200,000. Backtracking patterns took 2.1 s and 18.6 s on these.
 */
export function benchPolicy(ctx: BenchContext): Promise<Figure[]> {
  void ctx;
  const figures: Figure[] = [];
  for (const size of [65_536, 200_000]) {
    const body = "ssh -a ".repeat(Math.ceil(size / 7)).slice(0, size);
    const evidence = { ...compliantEvidence(), pullRequest: makePullRequest({ body }) };
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      mergeNoManualInstructions(evidence, defaultPolicy);
      times.push(performance.now() - t);
    }
    figures.push({
      figure: `merge.no-manual-instructions on a ${size.toLocaleString("en")}-character \`ssh -a \` body, median of 7`,
      value: Math.round(percentile(times, 50) * 10) / 10,
      unit: "ms",
      target: "< 100",
    });
  }
  return Promise.resolve(figures);
}
