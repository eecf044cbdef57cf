/**
 * Raw JSON as an auditor reads it: preformatted, scrolled within its box when long or wide. A box that
 * scrolls must be reachable from the keyboard (WCAG 2.1.1, axe's scrollable-region-focusable), so it takes
 * focus and is a named region (a screen reader says what it is on arrival).
 */
export function JsonBlock({ value, label, className }: { value: unknown; label: string; className?: string }) {
  return (
    <pre className={className} tabIndex={0} role="region" aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
