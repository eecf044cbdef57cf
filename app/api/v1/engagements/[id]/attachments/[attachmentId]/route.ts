import { getDb } from "@/lib/db";
import { downloadHeaders } from "@/lib/engagements/attachments";
import { engagementRoute } from "@/lib/engagements/http";
import { parseId } from "@/lib/engagements/input";
import { attachmentOf } from "@/lib/engagements/requests";
import { handler, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** An answer's file: always a download with a safe name, never rendered inline. */
export const GET = handler(async (req: Request, ctx: { params: Promise<{ id: string; attachmentId: string }> }) => {
  const db = await getDb();
  const params = await ctx.params;
  const { engagement } = await engagementRoute(db, req, params.id, "engagements:read");
  const a = await attachmentOf(db, engagement.id, parseId(params.attachmentId, "attachmentId"));
  return new Response(new Uint8Array(a.content), { headers: { ...downloadHeaders(a.fileName, a.contentType, a.bytes), "x-content-sha256": a.sha256 } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
