import { z } from "zod";
import type { Principal } from "../auth/request";
import { clientMeta } from "../auth/sign-in";
import { describeIssues, notFound, validation } from "../errors";
import type { IncidentPatch, StepInput } from "./edit";
import type { IncidentActor } from "./model";
import type { OpenIncidentInput } from "./open";

const text = (max: number) => z.string().max(max);

const openBody = z.strictObject({
  title: text(300).optional(),
  owner: text(320),
  environment: text(63).optional(),
  findingIds: z.array(z.number().int().positive()).max(100).default([]),
});

const patchBody = z
  .strictObject({
    owner: text(320).optional(),
    fixDeploymentKey: text(200).nullable().optional(),
    rootCause: text(20_000).optional(),
    correctiveAction: text(20_000).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "send at least one of owner, fixDeploymentKey, rootCause, correctiveAction");

const stepBody = z.strictObject({
  step: z.string(),
  notes: text(20_000),
  evidence: z.record(z.string(), z.unknown()).nullable().optional(),
  doneAt: z.iso.datetime({ offset: true }).optional(),
});

function parse<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  return parsed.data;
}

export const parseOpenIncident = (json: unknown): OpenIncidentInput => parse(openBody, json);
export const parseIncidentPatch = (json: unknown): IncidentPatch => parse(patchBody, json);
export function parseStep(json: unknown): StepInput {
  const b = parse(stepBody, json);
  return { step: b.step, notes: b.notes, evidence: b.evidence ?? null, ...(b.doneAt ? { doneAt: new Date(b.doneAt) } : {}) };
}

export function parseIncidentId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw notFound(`incident ${raw}`);
  return Number(raw);
}

/** The audit actor of an API call: a person by email, a token by name. */
export function actorOfPrincipal(p: Principal, req: Request): IncidentActor {
  return { actor: p.kind === "user" ? p.name : `token:${p.name}`, actorType: p.kind === "user" ? "user" : "token", ip: clientMeta(req).ip };
}
