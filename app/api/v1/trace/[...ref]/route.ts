import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { traceRef } from "@/lib/evidence/trace";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** `owner/repo#12` may arrive as two segments, or as one with %2F and %23 still encoded. */
function joinRef(segments: string[]): string {
  return segments
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    })
    .join("/");
}

export const GET = handler(async (req: Request, ctx: { params: Promise<{ ref: string[] }> }) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  const { ref } = await ctx.params;
  return json(await traceRef(db, joinRef(ref)));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
