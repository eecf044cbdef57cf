/** One benchmark figure, printed as a JSON line after the readable table. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** e.g. ">= 3000" or "< 50"; null when the figure is a reference only. */
  target: string | null;
  reference?: string | null;
}

export interface BenchContext {
  /** A Postgres server URL (DATABASE_URL or the local default); each bench creates its own databases in it. */
  serverUrl: string;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

export function meets(f: Figure): boolean | null {
  if (!f.target) return null;
  const m = /^(>=|<=|<|>)\s*([\d.]+)$/.exec(f.target.trim());
  if (!m) return null;
  const t = Number(m[2]);
  switch (m[1]) {
    case ">=":
      return f.value >= t;
    case "<=":
      return f.value <= t;
    case "<":
      return f.value < t;
    default:
      return f.value > t;
  }
}
