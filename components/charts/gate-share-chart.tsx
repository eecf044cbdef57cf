"use client";

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { GateShare } from "@/lib/dashboard/posture";
import { axisProps } from "./palette";

export function GateShareChart({ data }: { data: GateShare[] }) {
  const rows = data.map((g) => ({ rule: g.ruleId, passRate: g.passRate ?? 0 }));
  return (
    <ResponsiveContainer width="100%" height={Math.max(200, rows.length * 28)}>
      <BarChart data={rows} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" dataKey="passRate" domain={[0, 100]} unit="%" {...axisProps} />
        <YAxis type="category" dataKey="rule" width={190} {...axisProps} />
        <Tooltip formatter={(v) => [`${String(v)}%`, "passed"]} />
        <Bar isAnimationActive={false} dataKey="passRate" name="passed" fill="#1a7f37" />
      </BarChart>
    </ResponsiveContainer>
  );
}
