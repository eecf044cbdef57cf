import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { readBody, requireJson, parseJson } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { whileIngesting } from "@/lib/evaluation/queue";
import { ingestEvents, refuseLargeUnlessSnapshot, senderOf } from "@/lib/ingest/events-api";

export const dynamic = "force-dynamic";

export const POST = handler(async (req) => {
  const db = await getDb();
  const who = await authorize(db, req, "ingest:write");
  const sender = senderOf(who);
  requireJson(req);
  // From the body's first byte to the commit, this process's evaluator holds back.
  const result = await whileIngesting(db, async () => {
    // One cluster snapshot may be larger than other bodies (CUSTODY_MAX_SNAPSHOT_BYTES); anything else past CUSTODY_MAX_BODY_BYTES is 413.
    const raw = await readBody(req, config().maxSnapshotBytes, { decompress: true });
    const body = parseJson(raw, { storable: "checked later" });
    refuseLargeUnlessSnapshot(body, Buffer.byteLength(raw, "utf8"), config().maxBodyBytes);
    return ingestEvents(db, body, raw, sender, { futureSkewSeconds: config().futureSkewSeconds });
  });
  return json(result, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
