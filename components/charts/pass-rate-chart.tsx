"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { PassRateRow } from "@/lib/dashboard/overview";
import { axisProps, shortDay } from "./palette";

export function PassRateChart({ data }: { data: PassRateRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...axisProps} minTickGap={16} />
        <YAxis domain={[0, 100]} unit="%" {...axisProps} />
        <Tooltip labelFormatter={(d) => `${String(d)} (UTC)`} formatter={(v) => [`${String(v)}%`, "checks passed"]} />
        <Line isAnimationActive={false} type="monotone" dataKey="passRate" name="checks passed" stroke="#1a7f37" strokeWidth={2} dot={{ r: 2 }} connectNulls />
      </LineChart>
    </ResponsiveContainer>
  );
}
