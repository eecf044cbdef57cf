import { setFlagsFromString } from "node:v8";

/**
 * Bounds how far the server's heap grows between full garbage collections. V8 lets the old
 * generation grow to several times what the last full collection kept before it collects again: a
 * server whose live heap is ~50 MB grew to ~210 MB between collections while answering state-at
 * queries (1.35 MB answers; `--trace-gc`), and its resident memory reached 357–364 MB. With the heap
 * allowed to grow by half (`--heap-growing-percent=50`) the same 100 queries peaked at 225 MB, in no
 * more time or CPU (docs/developers.md, Benchmarks, "Ten years at scale", session 12).
 *
 * Set when the server starts (instrumentation), before it serves: V8 reads the factor each time it
 * sizes the heap after a collection. `percent` 0 keeps V8's own heuristics.
 */
export function boundHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
