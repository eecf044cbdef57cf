import { z } from "zod";
import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { describeIssues, notFound, validation } from "@/lib/errors";
import { createWaiver, listWaivers } from "@/lib/findings/waivers";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

const waiverBody = z.strictObject({
  justification: z.string().min(1).max(5000),
  approver: z.string().min(1).max(200),
  expiresAt: z.iso.datetime({ offset: true }),
});

const findingId = (raw: string): number => {
  if (!/^\d{1,15}$/.test(raw)) throw notFound(`finding ${raw}`);
  return Number(raw);
};

export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return json({ waivers: await listWaivers(db, findingId((await ctx.params).id)) });
});

export const POST = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const db = await getDb();
  const who = await authorize(db, req, "findings:waive");
  const id = findingId((await ctx.params).id);
  requireJson(req);
  const parsed = waiverBody.safeParse(parseJson(await readBody(req, config().maxBodyBytes)));
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  const waiver = await createWaiver(db, id, { ...parsed.data, expiresAt: new Date(parsed.data.expiresAt), createdBy: who.name });
  return json(waiver, { status: 201 });
});
