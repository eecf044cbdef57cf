import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { decide } from "@/lib/gates/decide";
import { parseJson, readBody, requireJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Asks a gate about a change before it goes through; the answer is itself a ledger entry. */
export const POST = handler(async (req) => {
  const db = await getDb();
  const principal = await authorize(db, req, "ingest:write");
  requireJson(req);
  const raw = await readBody(req, config().maxBodyBytes, { decompress: true });
  const requestedBy = principal.kind === "token" ? `token:${principal.name}` : principal.name;
  return json(await decide(db, parseJson(raw), requestedBy));
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
