import { config } from "@/lib/config";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readBody } from "@/lib/http/body";
import { handler, json, otherMethods } from "@/lib/http/respond";
import { whileIngesting } from "@/lib/evaluation/queue";
import { receiveGithubDelivery } from "@/lib/ingest/github-webhook";
import { githubWebhookSecret } from "@/lib/trial-secrets";

export const dynamic = "force-dynamic";

export const POST = handler(async (req) => {
  const secret = githubWebhookSecret();
  if (!secret) throw new AppError("UNAVAILABLE", "GitHub webhooks are not configured: set GITHUB_WEBHOOK_SECRET");
  const db = await getDb();
  // From the body's first byte to the commit, this process's evaluator holds back.
  const result = await whileIngesting(db, async () =>
    receiveGithubDelivery(db, secret, {
      event: req.headers.get("x-github-event"),
      deliveryId: req.headers.get("x-github-delivery"),
      signature: req.headers.get("x-hub-signature-256"),
      contentType: req.headers.get("content-type"),
      body: await readBody(req, config().maxBodyBytes),
    }),
  );
  return json(result, { status: 202 });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
