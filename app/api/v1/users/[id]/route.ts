import { z } from "zod";
import { authorize } from "@/lib/auth/request";
import { changeRole, disableUser, enableUser } from "@/lib/auth/user-admin";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError, describeIssues } from "@/lib/errors";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { actorOfPrincipal } from "@/lib/incidents/input";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };
const patch = z.strictObject({ role: z.string().optional(), disabled: z.boolean().optional() });

/** An admin changes a person's role and/or disables or re-enables them; each change is audit-logged. */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const db = await getDb();
  const who = await authorize(db, req, "users:manage");
  const { id } = await ctx.params;
  requireJson(req);
  const parsed = patch.safeParse(parseJson(await readBody(req, config().maxBodyBytes)));
  if (!parsed.success) throw new AppError("VALIDATION", describeIssues(parsed.error.issues));
  const by = actorOfPrincipal(who, req);
  let user = parsed.data.role === undefined ? null : await changeRole(db, by, id, parsed.data.role);
  if (parsed.data.disabled === true) user = await disableUser(db, by, id);
  if (parsed.data.disabled === false) user = await enableUser(db, by, id);
  if (user === null) throw new AppError("VALIDATION", "body: give role and/or disabled");
  return json({ id: user.id, email: user.email, role: user.role, disabledAt: user.disabledAt?.toISOString() ?? null });
});

export const { GET, POST, PUT, DELETE, OPTIONS } = otherMethods(["PATCH"]);
