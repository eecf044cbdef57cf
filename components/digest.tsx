/** A digest shown short, with the whole value for copying and screen readers. */
export function Digest({ value }: { value: string | null }) {
  if (!value) return <span className="muted">unknown</span>;
  const short = value.replace(/^sha256:/, "").slice(0, 12);
  return (
    <code title={value} aria-label={value}>
      {short}
    </code>
  );
}
