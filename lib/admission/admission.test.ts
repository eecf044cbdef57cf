import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { findings, incidents, ledgerEvents } from "@/db/schema";
import { createTestDatabase } from "@/db/testing";
import type { AdmissionConfig } from "../config";
import { evaluationSettled } from "../evaluation/queue";
import { change, digestOf } from "../evidence/test-change";
import { decide } from "../gates/decide";
import { ingestEvents } from "../ingest/events-api";
import { renderMetrics } from "../metrics";
import { answerAdmission } from "./webhook";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(async () => handle?.close());

type Review = { apiVersion: string; kind: string; request: Record<string, unknown> & { uid: string; object: Record<string, unknown>; oldObject: Record<string, unknown> | null } };
const fixture = (name: string): Review => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8")) as Review;
type Answer = { apiVersion: string; kind: string; response: { uid: string; allowed: boolean; status?: { code: number; message: string }; warnings?: string[] } };

const settings = (namespaces: AdmissionConfig["namespaces"] = {}, extra: Partial<AdmissionConfig> = {}): AdmissionConfig => ({ namespaces, failurePolicy: "Ignore", budgetMs: 5000, ...extra });
const enforced = settings({ production: { mode: "enforce", environment: "production" } });
const ask = async (review: unknown, s: AdmissionConfig) => (await answerAdmission(handle.db, typeof review === "string" ? review : JSON.stringify(review), s)) as Answer;

/** The Deployment-update fixture with its image references replaced by digests (nginx unchanged, web changed). */
function deploymentUpdate(uid: string, nginx: string, webBefore: string, webAfter: string, annotations?: Record<string, string>): Review {
  const r = fixture("deployment-update-several-containers.json");
  r.request.uid = uid;
  const set = (o: Record<string, unknown>, web: string) => {
    const spec = ((o.spec as Record<string, unknown>).template as Record<string, unknown>).spec as { containers: [{ image: string }, { image: string }]; initContainers: [{ image: string }] };
    spec.containers[0].image = `docker.io/library/nginx@${nginx}`;
    spec.containers[1].image = `docker.io/library/nginx@${web}`;
    spec.initContainers[0].image = `registry.k8s.io/busybox@${nginx}`;
  };
  set(r.request.object, webAfter);
  if (r.request.oldObject) set(r.request.oldObject, webBefore);
  if (annotations) (r.request.object.metadata as Record<string, unknown>).annotations = annotations;
  return r;
}

describe("admission webhook: workloads", () => {
  it("refuses, in an enforced namespace, a Pod whose images (init containers too) are not referenced by digest, answering with the request's uid", async () => {
    const answer = await ask(fixture("pod-create-init-containers.json"), enforced);
    expect(answer).toMatchObject({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "705ab4f5-6393-11e8-b7cc-42010a800001", allowed: false, status: { code: 403 } } });
    expect(answer.response.status?.message).toContain("initContainers install: busybox:1.28 is not referenced by digest");
    expect(answer.response.status?.message).toContain("containers nginx: nginx is not referenced by digest");
  });

  it("admits in warn mode by default for a namespace named like an environment, with warnings and a drift.admission-bypass finding naming the person", async () => {
    const review = fixture("pod-create-init-containers.json");
    review.request.uid = "warn-1";
    const answer = await ask(review, settings());
    expect(answer.response).toMatchObject({ uid: "warn-1", allowed: true });
    expect(answer.response.warnings?.some((w) => w.includes("not referenced by digest"))).toBe(true);
    const [f] = await handle.db.select().from(findings).where(and(eq(findings.ruleId, "drift.admission-bypass"), eq(findings.subjectKey, "admission:production/production/Pod/init-demo")));
    expect(f).toMatchObject({ status: "open", actor: "admin", environment: "production" });
    const [entry] = await handle.db.select().from(ledgerEvents).where(and(eq(ledgerEvents.source, "k8s-admission"), eq(ledgerEvents.deliveryId, "warn-1")));
    expect(entry?.eventType).toBe("admission.create");
  });

  it("answers a dry run (kubectl --dry-run=server) the same way but records nothing", async () => {
    const review = fixture("pod-create-init-containers.json");
    review.request.uid = "dry-1";
    review.request.dryRun = true;
    const answer = await ask(review, enforced);
    expect(answer.response).toMatchObject({ uid: "dry-1", allowed: false });
    expect(await handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, "dry-1"))).toEqual([]);
  });

  it("leaves namespaces it does not know, and kube-system, alone", async () => {
    for (const namespace of ["team-sandbox", "kube-system"]) {
      const review = fixture("pod-create-init-containers.json");
      review.request.namespace = namespace;
      expect((await ask(review, settings({ "kube-system": { mode: "enforce", environment: "production" } }))).response.allowed).toBe(true);
    }
  });

  it("admits a Deployment update whose changed image has an allow decision, and refuses it once a later decision denies that digest (the cache is invalidated)", async () => {
    const c = change({ key: "admit" });
    const body = { events: c.events };
    await ingestEvents(handle.db, body, JSON.stringify(body));
    await evaluationSettled(handle.db);
    const base = digestOf("base-image");
    const request = { gate: "deployment", environment: "production", digest: c.digest, pipelineRun: { provider: "github-actions", runId: `${c.ciRunId}2` }, manifestCommitSha: c.mergeSha };
    const first = await decide(handle.db, request, "token:ci");
    expect(first.checks).toEqual([]);
    expect(first.decision).toBe("allow");
    // nginx and the init container did not change: only the web container's new digest is judged.
    const admitted = await ask(deploymentUpdate("dep-1", base, digestOf("web-old"), c.digest), enforced);
    expect(admitted.response).toEqual({ uid: "dep-1", allowed: true });

    const denied = await decide(handle.db, { ...request, pipelineRun: undefined }, "token:someone");
    expect(denied.decision).toBe("deny");
    const refused = await ask(deploymentUpdate("dep-2", base, digestOf("web-old"), c.digest), enforced);
    expect(refused.response.allowed).toBe(false);
    expect(refused.response.status?.message).toContain(`containers web: ${c.digest} was denied at the deployment gate for production (decision ${denied.decisionId}: deploy.pipeline-actor)`);
  });

  it("judges every new image of a review in one look-up: only the images without an allow decision are named, in container order", async () => {
    const [allowed, missing, denied] = [digestOf("multi-allowed"), digestOf("multi-missing"), digestOf("multi-denied")];
    await handle.db.execute(sql`insert into gate_decisions (decision_id, gate, environment, service, digest, decision, checks, policy_version, requested_by, ledger_seq, decided_at) values
      ('multi-1', 'deployment', 'production', 'svc', ${allowed}, 'allow', '[]'::jsonb, 'test', 'token:ci', 0, now()),
      ('multi-2', 'deployment', 'production', 'svc', ${denied}, 'allow', '[]'::jsonb, 'test', 'token:ci', 0, now() - interval '1 hour'),
      ('multi-3', 'production-apply', 'production', 'svc', ${denied}, 'deny', ${JSON.stringify([{ ruleId: "deploy.built-by-ci" }])}::jsonb, 'test', 'token:ci', 0, now()),
      ('multi-4', 'deployment', 'staging', 'svc', ${missing}, 'allow', '[]'::jsonb, 'test', 'token:ci', 0, now())`);
    const containers = [allowed, missing, denied, allowed].map((d, i) => ({ name: `c${i}`, image: `ghcr.io/acme/svc@${d}` }));
    const review = {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "multi-1",
        kind: { group: "apps", version: "v1", kind: "Deployment" },
        resource: { group: "apps", version: "v1", resource: "deployments" },
        name: "svc",
        namespace: "production",
        operation: "CREATE",
        userInfo: { username: "system:serviceaccount:argocd:argocd-application-controller" },
        object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "svc", namespace: "production" }, spec: { template: { spec: { containers } } } },
        oldObject: null,
        dryRun: true,
      },
    };
    const answer = await ask(review, enforced);
    expect(answer.response.allowed).toBe(false);
    const message = answer.response.status?.message ?? "";
    // The latest decision wins (a later production-apply deny over an earlier allow); another environment's allow does not count.
    expect(message).toContain(`containers c1: ${missing} has no deployment decision for production`);
    expect(message).toContain(`containers c2: ${denied} (built outside CI) was denied at the deployment gate for production (decision multi-3: deploy.built-by-ci)`);
    expect(message.indexOf("c1:")).toBeLessThan(message.indexOf("c2:"));
    expect(message).not.toContain("c0:");
    expect(message).not.toContain("c3:");
  });

  it("refuses a digest with no decision, and says which command asks for one", async () => {
    const unknown = digestOf("never-asked");
    const answer = await ask(deploymentUpdate("dep-3", digestOf("base-image"), digestOf("web-old"), unknown), enforced);
    expect(answer.response.status?.message).toContain(`${unknown} has no deployment decision for production; ask: npx custody assert --gate deployment --environment production --digest ${unknown}`);
  });

  it("break glass: an annotated change in an enforced namespace is admitted, names the person and opens an incident at once", async () => {
    const reason = "payments outage INC-5120, hotfix image";
    const answer = await ask(deploymentUpdate("dep-glass", digestOf("base-image"), digestOf("web-old"), digestOf("hotfix"), { "custody.dev/break-glass": reason }), enforced);
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings?.[0]).toMatch(/admitted by break glass .*incident \d+ is open/);
    const [f] = await handle.db.select().from(findings).where(and(eq(findings.ruleId, "drift.admission-bypass"), eq(findings.subjectKey, "admission:production/production/Deployment/nginx-deployment")));
    expect(f).toMatchObject({ actor: "admin", status: "open" });
    const [incident] = await handle.db.select().from(incidents).where(eq(incidents.owner, "admin"));
    expect(incident).toMatchObject({ status: "open", environment: "production" });
  });
});

describe("admission webhook: hands in running pods", () => {
  it("refuses kubectl debug (pods/ephemeralcontainers) in an enforced namespace and records the person as drift at once", async () => {
    const answer = await ask(fixture("pod-ephemeralcontainers-kubectl-debug.json"), enforced);
    expect(answer.response).toMatchObject({ uid: "705ab4f5-6393-11e8-b7cc-42010a800003", allowed: false, status: { code: 403 } });
    expect(answer.response.status?.message).toContain("heidi@acme.com asked for an ephemeral container (kubectl debug) in pod production/example-pod");
    const [f] = await handle.db.select().from(findings).where(and(eq(findings.ruleId, "drift.exec-into-container"), eq(findings.actor, "heidi@acme.com")));
    expect(f).toMatchObject({ status: "open", environment: "production", subjectKey: "production/production/Pod/example-pod/exec/heidi@acme.com" });
  });

  it("admits kubectl exec (CONNECT pods/exec) in warn mode with a warning, recorded in the ledger", async () => {
    const answer = await ask(fixture("pod-exec-connect.json"), settings());
    expect(answer.response).toMatchObject({ uid: "705ab4f5-6393-11e8-b7cc-42010a800004", allowed: true });
    expect(answer.response.warnings?.[0]).toContain("exec (kubectl exec)");
    const [entry] = await handle.db.select().from(ledgerEvents).where(eq(ledgerEvents.deliveryId, "705ab4f5-6393-11e8-b7cc-42010a800004"));
    expect(entry?.eventType).toBe("admission.connect");
  });
});

describe("admission webhook: when it cannot judge", () => {
  it("answers a malformed review per failure policy with a message, never an error", async () => {
    const ignore = await ask("{ not json", settings());
    expect(ignore).toMatchObject({ kind: "AdmissionReview", response: { uid: "", allowed: true } });
    expect(ignore.response.warnings?.[0]).toContain("the body is not JSON");
    const fail = await ask({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u-9" } }, settings({}, { failurePolicy: "Fail" }));
    expect(fail.response).toMatchObject({ uid: "u-9", allowed: false, status: { code: 400 } });
    expect(fail.response.status?.message).toContain("request.operation");
  });

  it("applies the failure policy when the answer does not come within the budget, and counts the miss", async () => {
    const review = deploymentUpdate("slow-1", digestOf("base-image"), digestOf("web-old"), digestOf("slow"));
    let answer: Answer | undefined;
    await handle.db.transaction(async (tx) => {
      // Holds the decisions table so the webhook's read waits past its budget.
      await tx.execute(sql`lock table gate_decisions in access exclusive mode`);
      answer = await ask(review, settings({ production: { mode: "enforce", environment: "production" } }, { budgetMs: 50, failurePolicy: "Fail" }));
    });
    expect(answer?.response).toMatchObject({ uid: "slow-1", allowed: false });
    expect(answer?.response.status?.message).toContain("no answer within 50 ms");
    const metrics = await renderMetrics(handle.db);
    expect(metrics.body).toMatch(/custody_admission_misses_total\{reason="timeout"\} 1/);
  });
});
