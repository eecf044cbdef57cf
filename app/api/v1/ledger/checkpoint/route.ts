import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, otherMethods } from "@/lib/http/respond";
import { latestCheckpointNote } from "@/lib/ledger/proof-api";

export const dynamic = "force-dynamic";

/** The latest signed checkpoint, as the signed note itself (text/plain), byte for byte as signed. */
export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return new Response(await latestCheckpointNote(db), { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
