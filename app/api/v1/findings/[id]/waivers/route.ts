import { z } from "zod";
import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { describeIssues, notFound, validation } from "@/lib/errors";
import { listWaiverRequests, listWaivers, requestWaiver } from "@/lib/findings/waivers";
import { actorOfPrincipal } from "@/lib/incidents/input";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

const waiverBody = z.strictObject({
  justification: z.string().min(1).max(5000),
  expiresAt: z.iso.datetime({ offset: true }),
});

const findingId = (raw: string): number => {
  if (!/^\d{1,15}$/.test(raw)) throw notFound(`finding ${raw}`);
  return Number(raw);
};

export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const id = findingId((await ctx.params).id);
  return json({ waivers: await listWaivers(db, id), requests: await listWaiverRequests(db, id) });
});

export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "findings:waive");
  const id = findingId((await ctx.params).id);
  requireJson(req);
  const body = parseJson(await readBody(req, config().maxBodyBytes));
  if (typeof body === "object" && body !== null && "approver" in body) {
    throw validation("approver: a waiver is now requested here and approved by a second signed-in person (POST .../waiver-requests/{id}/approve); leave approver out");
  }
  const parsed = waiverBody.safeParse(body);
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  const request = await requestWaiver(db, id, actorOfPrincipal(who, req), { justification: parsed.data.justification, expiresAt: new Date(parsed.data.expiresAt) });
  return json(request, { status: 201 });
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
