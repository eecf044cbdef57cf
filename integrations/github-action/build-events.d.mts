export interface TrivySummary {
  scanner: string;
  counts: { critical: number; high: number; medium: number; low: number };
  secrets: number;
  scannedAt: string | undefined;
}
export function readTrivyReport(text: string): TrivySummary;
export function buildEvent(env: Record<string, string | undefined>, now?: string): Record<string, unknown>;
