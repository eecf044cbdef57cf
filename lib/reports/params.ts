import { z } from "zod";
import { describeIssues, notFound, validation } from "../errors";
import { frameworks, type Framework } from "../policy/controls";
import { newSeed, sampleSizeFor } from "./sample";
import { requireStorable, storableInstant } from "../evidence/cursor";

export const reportFormats = ["json", "csv", "pdf", "zip"] as const;
export type ReportFormat = (typeof reportFormats)[number];
export const csvKinds = ["population", "checks", "exceptions", "incidents", "waivers"] as const;
export type CsvKind = (typeof csvKinds)[number];

export interface ReportParams {
  framework: Framework;
  /** Half-open period [from, to): a date-only `to` means the end of that day. */
  from: Date;
  to: Date;
  /** Empty means every production environment. */
  environments: string[];
  services: string[];
  format: ReportFormat;
  kind: CsvKind;
  /** Sample size asked for, or suggested from confidence/tolerable; capped at the population later. */
  sampleSize: number;
  sampleBasis: string;
  seed: string;
}

const DAY = 86_400_000;
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const instant = z.union([
  z.string().regex(dateOnly, "must be a date (YYYY-MM-DD) or an ISO 8601 time"),
  z.iso.datetime({ offset: true }),
]);
const list = z
  .string()
  .optional()
  .transform((v) => (v ? [...new Set(v.split(",").map((s) => s.trim()).filter(Boolean))] : []))
  .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/i, "must be a name like checkout")).max(50));

const schema = z.object({
  from: instant,
  to: instant,
  environment: list,
  service: list,
  format: z.enum(reportFormats).default("json"),
  kind: z.enum(csvKinds).default("population"),
  sample: z.string().regex(/^\d{1,4}$/, "must be a whole number from 0 to 9999").transform(Number).optional(),
  seed: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, - or _").optional(),
  confidence: z.enum(["90", "95"]).default("95"),
  tolerable: z.enum(["5", "10"]).default("10"),
});

function toDate(value: string, endOfDay: boolean): Date {
  const d = dateOnly.test(value) ? new Date(`${value}T00:00:00.000Z`) : new Date(value);
  return endOfDay && dateOnly.test(value) ? new Date(d.getTime() + DAY) : d;
}

export function parseFramework(value: string): Framework {
  const f = frameworks.find((x) => x === value);
  if (!f) throw notFound(`framework "${value.slice(0, 40)}" (use soc2 or iso27001)`);
  return f;
}

/** Validates report parameters from a query string or CLI options; every bad field is named. */
export function parseReportParams(framework: string, input: Record<string, string | undefined>): ReportParams {
  const fw = parseFramework(framework);
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  const p = parsed.data;
  const from = toDate(p.from, false);
  const end = toDate(p.to, true);
  if (Number.isNaN(from.getTime()) || Number.isNaN(end.getTime())) throw validation("from/to: not a valid date");
  requireStorable("from", from);
  requireStorable("to", toDate(p.to, false));
  // The day after 9999-12-31 is no instant Postgres takes as sent: the period ends with that day's last millisecond.
  const to = storableInstant(end) ? end : new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999));
  if (to <= from) throw validation("to: must be after from");
  if (to.getTime() - from.getTime() > 3 * 366 * DAY) throw validation("to: the period may span at most three years");
  const confidence = Number(p.confidence) as 90 | 95;
  const tolerable = Number(p.tolerable) as 5 | 10;
  return {
    framework: fw,
    from,
    to,
    environments: p.environment,
    services: p.service,
    format: p.format,
    kind: p.kind,
    sampleSize: p.sample ?? sampleSizeFor(confidence, tolerable),
    sampleBasis: p.sample !== undefined ? "chosen by the auditor" : `${confidence} % confidence, ${tolerable} % tolerable deviation, none expected`,
    seed: p.seed ?? newSeed(),
  };
}

/** The parameters as they go into headers, manifests and the audit log. */
export function describeParams(p: ReportParams): Record<string, unknown> {
  return {
    framework: p.framework,
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    environments: p.environments,
    services: p.services,
    sampleSize: p.sampleSize,
    sampleBasis: p.sampleBasis,
    seed: p.seed,
  };
}

/** The same parameters as a query string, so a page can link to exactly this export. */
export function paramsQuery(p: ReportParams, overrides: Partial<Pick<ReportParams, "format" | "kind">> = {}): string {
  const q = new URLSearchParams({ from: p.from.toISOString(), to: p.to.toISOString() });
  if (p.environments.length > 0) q.set("environment", p.environments.join(","));
  if (p.services.length > 0) q.set("service", p.services.join(","));
  q.set("format", overrides.format ?? p.format);
  if ((overrides.format ?? p.format) === "csv") q.set("kind", overrides.kind ?? p.kind);
  q.set("sample", String(p.sampleSize));
  q.set("seed", p.seed);
  return q.toString();
}

export const periodLabel = (p: Pick<ReportParams, "from" | "to">) => `${p.from.toISOString()}/${p.to.toISOString()}`;

const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** `1 July 2026` (UTC). */
export const dateInWords = (d: Date): string => `${d.getUTCDate()} ${months[d.getUTCMonth()] ?? ""} ${d.getUTCFullYear()}`;

/**
 * The period as a reader says it, both days inclusive: `1 July 2026 – 30 September 2026`. A period
 * that does not start or end at midnight UTC keeps its times: `1 July 2026 10:00 UTC – …`.
 */
export function periodInWords(p: Pick<ReportParams, "from" | "to">): string {
  const midnight = (d: Date) => d.getTime() % 86_400_000 === 0;
  const time = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;
  const start = midnight(p.from) ? dateInWords(p.from) : `${dateInWords(p.from)} ${time(p.from)}`;
  const end = midnight(p.to) ? dateInWords(new Date(p.to.getTime() - 86_400_000)) : `${dateInWords(p.to)} ${time(p.to)}`;
  return `${start} – ${end}`;
}
