"use client";

import { parseAsString, useQueryStates } from "nuqs";
import { useState, type FormEvent } from "react";
import { DayInput } from "./day-input";

/**
 * The period lives in the URL (`?from=&to=`, UTC days), so a view can be shared as a link. The boxes
 * start at `used`, the period the page shows, not at the URL's values: a value that is no day or a
 * period too long is not what the figures cover (the page says so with PeriodNotes).
 */
export function PeriodPicker({ used, shallow = true }: { used: { from: string; to: string }; shallow?: boolean }) {
  const [, setPeriod] = useQueryStates({ from: parseAsString, to: parseAsString }, { shallow });
  const [from, setFrom] = useState(used.from);
  const [to, setTo] = useState(used.to);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void setPeriod({ from, to });
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Period">
      <label>
        From (UTC)
        <DayInput value={from} onDay={(d) => setFrom(d ?? "")} required />
      </label>
      <label>
        To (UTC, inclusive)
        <DayInput value={to} onDay={(d) => setTo(d ?? "")} required />
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
