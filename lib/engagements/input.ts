import { z } from "zod";
import { describeIssues, validation } from "../errors";
import { frameworks } from "../policy/controls";
import { parseReportParams } from "../reports/params";
import { requireStorable } from "../evidence/cursor";

const DAY = 86_400_000;
const text = (max: number) => z.string().trim().min(1, "required").max(max, `at most ${max} characters`);
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/, "must be a date (YYYY-MM-DD) or an ISO 8601 time");

const createSchema = z.object({
  name: text(200),
  framework: z.enum(frameworks, "must be soc2 or iso27001"),
  from: instant,
  to: instant,
  environments: z.string().max(2000).optional(),
  services: z.string().max(2000).optional(),
  /** The last day of the auditors' access; default four weeks from today. */
  endsAt: instant.optional(),
});

export interface EngagementInput {
  name: string;
  framework: (typeof frameworks)[number];
  from: Date;
  to: Date;
  environments: string[];
  services: string[];
  endsAt: Date;
}

const endOfDay = (value: string): Date => (/^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(Date.parse(`${value}T00:00:00Z`) + DAY) : new Date(value));

/** A new engagement's fields; a period ending before it starts, or an end of access already past, is a 400. */
export function parseEngagementInput(fields: Record<string, unknown>, now = new Date()): EngagementInput {
  const parsed = createSchema.safeParse(fields);
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  const f = parsed.data;
  // The same period and scope rules as the reports (half-open, a date-only end is that whole day).
  const p = parseReportParams(f.framework, { from: f.from, to: f.to, environment: f.environments, service: f.services });
  const endsAt = f.endsAt ? endOfDay(f.endsAt) : new Date(now.getTime() + 28 * DAY);
  if (Number.isNaN(endsAt.getTime())) throw validation("endsAt: not a valid date");
  requireStorable("endsAt", endsAt);
  if (endsAt <= now) throw validation("endsAt: the auditors' access must end in the future");
  return { name: f.name, framework: f.framework, from: p.from, to: p.to, environments: p.environments, services: p.services, endsAt };
}

export function parseId(value: string, what = "engagement"): number {
  if (!/^\d{1,15}$/.test(value)) throw validation(`${what}: must be a number`);
  return Number(value);
}

const drawSchema = z.object({
  size: z.string().regex(/^\d{1,4}$/, "must be a whole number from 1 to 9999").transform(Number).pipe(z.number().min(1, "must be at least 1")),
  seed: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, - or _").optional(),
  reason: z.string().trim().max(2000).optional(),
});

export function parseDraw(fields: Record<string, string>): { size: number; seed?: string; reason?: string } {
  const parsed = drawSchema.safeParse({ ...fields, seed: fields.seed || undefined, reason: fields.reason || undefined });
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  return parsed.data;
}

const requestSchema = z.object({
  title: text(300),
  body: z.string().trim().max(20_000).default(""),
  changeId: z.string().trim().max(300).optional(),
});

export function parseRequest(fields: Record<string, string>): { title: string; body: string; changeId: string | null } {
  const parsed = requestSchema.safeParse({ ...fields, changeId: fields.changeId || undefined });
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  return { ...parsed.data, changeId: parsed.data.changeId ?? null };
}

const markSchema = z.object({
  result: z.enum(["pass", "exception"], "must be pass or exception"),
  note: z.string().trim().max(20_000).default(""),
});

export function parseMark(fields: Record<string, string>): { result: "pass" | "exception"; note: string } {
  const parsed = markSchema.safeParse(fields);
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  if (parsed.data.result === "exception" && !parsed.data.note) throw validation("note: say what the exception is");
  return parsed.data;
}

export const messageText = (fields: Record<string, string>, name = "body", required = true): string => {
  const v = (fields[name] ?? "").trim();
  if (required && !v) throw validation(`${name}: required`);
  if (v.length > 20_000) throw validation(`${name}: at most 20000 characters`);
  return v;
};
