import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { inclusionProofFor } from "@/lib/ledger/proof-api";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return json(await inclusionProofFor(db, new URL(req.url).searchParams));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
