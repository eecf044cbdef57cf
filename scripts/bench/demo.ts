// `npm run bench -- demo`: generating the demo's events in memory (was a timed assertion in
// lib/demo/generate.test.ts; timings belong here).
import { generateDemoEvents } from "@/lib/demo";
import { percentile, type Figure } from "./figure";

export async function benchDemo(): Promise<Figure[]> {
  generateDemoEvents({ seed: 98 });
  const times: number[] = [];
  let events = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    events = generateDemoEvents({ seed: 99 + i }).length;
    times.push(performance.now() - t);
  }
  return [
    { figure: "demo.generate.median", value: Math.round(percentile(times, 50)), unit: "ms", target: "< 1000", reference: `${events} events, median of 5 seeds` },
  ];
}
