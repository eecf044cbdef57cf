"use client";

import { parseAsString, useQueryStates } from "nuqs";
import { useState, type FormEvent } from "react";
import { DayInput } from "./day-input";

/** The period lives in the URL (`?from=&to=`, UTC days), so a view can be shared as a link. */
export function PeriodPicker({ defaults, shallow = true }: { defaults: { from: string; to: string }; shallow?: boolean }) {
  const [period, setPeriod] = useQueryStates({ from: parseAsString, to: parseAsString }, { shallow });
  const [from, setFrom] = useState(period.from ?? defaults.from);
  const [to, setTo] = useState(period.to ?? defaults.to);
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
