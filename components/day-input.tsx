"use client";

import { useState } from "react";

export const DAY_PATTERN = "\\d{4}-\\d{2}-\\d{2}";
const day = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A UTC day typed as ISO 8601 (YYYY-MM-DD): the browser's date picker shows the reader's locale
 * (mm/dd/yyyy) under a "(UTC)" label. Reports a value only when it is a whole day or empty.
 */
export function DayInput({ value, onDay, required = false }: { value: string; onDay: (day: string | null) => void; required?: boolean }) {
  const [text, setText] = useState(value);
  return (
    <input
      value={text}
      inputMode="numeric"
      placeholder="YYYY-MM-DD"
      pattern={DAY_PATTERN}
      maxLength={10}
      size={11}
      required={required}
      onChange={(e) => {
        const v = e.target.value.trim();
        setText(v);
        if (v === "" || (day.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))) onDay(v || null);
      }}
    />
  );
}
