"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DeploymentsPerDay } from "@/lib/dashboard/overview";
import { axisProps, seriesColours, shortDay } from "./palette";

export function DeploymentsChart({ data }: { data: DeploymentsPerDay }) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={data.rows} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...axisProps} minTickGap={16} />
        <YAxis allowDecimals={false} {...axisProps} />
        <Tooltip labelFormatter={(d) => `${String(d)} (UTC)`} />
        <Legend itemSorter={(item) => data.environments.indexOf(String(item.value))} />
        {data.environments.map((env, i) => (
          <Bar isAnimationActive={false} key={env} dataKey={env} name={env} stackId="env" fill={seriesColours[i % seriesColours.length]} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}
