/** A UTC timestamp an auditor can quote: ISO 8601, minutes precision, with the full value in the title. */
export function Time({ value }: { value: Date | string | null }) {
  if (!value) return <span className="muted">never</span>;
  const d = typeof value === "string" ? new Date(value) : value;
  const iso = d.toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {iso.slice(0, 16).replace("T", " ")} UTC
    </time>
  );
}
