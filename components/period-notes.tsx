/** What a page says when the period asked for in its URL was not the one used (lib/dashboard/period.ts, periodNotes). */
export function PeriodNotes({ notes }: { notes: readonly string[] }) {
  if (notes.length === 0) return null;
  return (
    <div role="status" className="notice period-notes">
      {notes.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}
