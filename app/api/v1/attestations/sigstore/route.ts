import { authorize } from "@/lib/auth/request";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readBody } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { ingestSigstoreBundles, parseDigestParam } from "@/lib/provenance/ingest";

export const dynamic = "force-dynamic";

const accepted = /^(application\/(json|x-ndjson|jsonl|jsonlines|x-jsonlines)|application\/[\w.+-]+\+json)$/;

export const POST = handler(async (req) => {
  const db = await getDb();
  await authorize(db, req, "ingest:write");
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!accepted.test(type)) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "content-type must be application/json (a bundle) or application/x-ndjson (JSON lines of bundles)");
  const digest = parseDigestParam(new URL(req.url).searchParams.get("digest"));
  const c = config();
  const body = await readBody(req, c.maxBodyBytes, { decompress: true });
  return json(await ingestSigstoreBundles(db, body, { digest, maxBundleBytes: c.maxBundleBytes }), { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
