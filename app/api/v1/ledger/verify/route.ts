import { authorize } from "@/lib/auth/request";
import { getDb } from "@/lib/db";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { verifyLedger } from "@/lib/ledger/ledger";

export const dynamic = "force-dynamic";

export const GET = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "evidence:read");
  return json(await verifyLedger(db));
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
