/** A result or status as text with a colour, never colour alone. */
const tones: Record<string, "ok" | "bad" | "warn" | "neutral"> = {
  delivered: "ok", pending: "warn", failing: "bad", disabled: "bad",
  pass: "ok", success: "ok", resolved: "ok", closed: "ok", active: "ok", approved: "ok",
  fail: "bad", failed: "bad", failure: "bad", denied: "bad", open: "bad", critical: "bad", high: "bad", expired: "bad",
  "missing-evidence": "warn", missing: "warn", waived: "warn", medium: "warn", expiring: "warn", revoked: "neutral", low: "neutral",
};

export function Status({ value, label }: { value: string; label?: string }) {
  return <span className={`status status-${tones[value] ?? "neutral"}`}>{label ?? value.replace(/-/g, " ")}</span>;
}
