import { z } from "zod";
import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { describeIssues, notFound, validation } from "@/lib/errors";
import { extendWaiver, revokeWaiver } from "@/lib/findings/waivers";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string; waiverId: string }> };

async function ids(ctx: Ctx): Promise<[number, number]> {
  const { id, waiverId } = await ctx.params;
  if (!/^\d{1,15}$/.test(id) || !/^\d{1,15}$/.test(waiverId)) throw notFound(`waiver ${waiverId} of finding ${id}`);
  return [Number(id), Number(waiverId)];
}

/** Revokes a waiver now (audit-logged). */
export const DELETE = handler(async (req: Request, ctx: Ctx) => {
  const db = await getDb();
  const who = await authorize(db, req, "findings:waive");
  const [id, waiverId] = await ids(ctx);
  return json(await revokeWaiver(db, id, waiverId, actorOfPrincipal(who, req)));
});

const extendBody = z.strictObject({ expiresAt: z.iso.datetime({ offset: true }) });

/** Extends an active waiver: a signed-in person other than its requester (audit-logged). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const db = await getDb();
  const who = await authorize(db, req, "findings:waive");
  const [id, waiverId] = await ids(ctx);
  requireJson(req);
  const parsed = extendBody.safeParse(parseJson(await readBody(req, config().maxBodyBytes)));
  if (!parsed.success) throw validation(describeIssues(parsed.error.issues));
  return json(await extendWaiver(db, id, waiverId, actorOfPrincipal(who, req), new Date(parsed.data.expiresAt)));
});

export const { GET, POST, PUT, OPTIONS } = otherMethods(["PATCH", "DELETE"]);
