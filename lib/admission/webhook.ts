import type { Database } from "@/db/client";
import { config, type AdmissionConfig } from "../config";
import { log } from "../log";
import { observeAdmission } from "../metrics";
import { failureAnswer, judgeAdmission, reviewResponse, type AdmissionOutcome } from "./judge";

function uidOf(body: unknown): { uid: string; apiVersion: string } {
  const review = body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const request = review.request !== null && typeof review.request === "object" ? (review.request as Record<string, unknown>) : {};
  return {
    uid: typeof request.uid === "string" ? request.uid : "",
    apiVersion: typeof review.apiVersion === "string" && review.apiVersion.startsWith("admission.k8s.io/") ? review.apiVersion : "admission.k8s.io/v1",
  };
}

/**
 * The webhook's whole answer to a raw body: always an AdmissionReview the API server understands.
 * When the body cannot be read, judging fails, or the time budget (CUSTODY_ADMISSION_BUDGET_MS) is
 * spent, the configured failure policy answers and the miss is counted in the metrics.
 */
export async function answerAdmission(db: Database, raw: string, settings: AdmissionConfig = config().admission): Promise<Record<string, unknown>> {
  const started = performance.now();
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    const out = failureAnswer("", "admission.k8s.io/v1", "the body is not JSON", settings);
    observeAdmission(out.result, (performance.now() - started) / 1000, "malformed");
    return reviewResponse(out);
  }
  const { uid, apiVersion } = uidOf(body);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), settings.budgetMs);
  });
  let out: AdmissionOutcome;
  let miss: "timeout" | "malformed" | "error" | null = null;
  try {
    const judged = judgeAdmission(db, body, settings);
    const first = await Promise.race([judged, timeout]);
    if (first === "timeout") {
      miss = "timeout";
      out = failureAnswer(uid, apiVersion, `no answer within ${settings.budgetMs} ms`, settings);
      judged.catch((error: unknown) => log.error("admission review failed after its time budget", { uid, error: String(error).slice(0, 300) }));
    } else {
      out = first;
      if (out.result === "unjudged") miss = "malformed";
    }
  } catch (error) {
    miss = "error";
    log.error("admission review failed", { uid, error: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : "unknown" });
    out = failureAnswer(uid, apiVersion, "an internal error; see the server log", settings);
  } finally {
    clearTimeout(timer);
  }
  observeAdmission(out.result, (performance.now() - started) / 1000, miss);
  return reviewResponse(out);
}
