"use client";

import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { OpenFindingsRow } from "@/lib/dashboard/overview";
import { axisProps, shortDay } from "./palette";

export function OpenFindingsChart({ data }: { data: OpenFindingsRow[] }) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...axisProps} minTickGap={16} />
        <YAxis allowDecimals={false} {...axisProps} />
        <Tooltip labelFormatter={(d) => `end of ${String(d)} (UTC)`} />
        <Area isAnimationActive={false} type="stepAfter" dataKey="open" name="open findings" stroke="#cf222e" fill="#ffebe9" dot={{ r: 2 }} />
      </AreaChart>
    </ResponsiveContainer>
  );
}
