import { z } from "zod";
import { custodyEvent, eventsRequest } from "../events/schema";
import { decisionRequestSchema } from "../gates/request";
import { responseSchemas, type ResponseSchemaName } from "./response-schemas";

const ref = (name: ResponseSchemaName) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (description: string, name: ResponseSchemaName) => ({ description, content: { "application/json": { schema: ref(name) } } });

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } }]));

/** A read route; `answers` names its response schema, or describes a body that is not JSON. */
const readOp = (summary: string, parameters: unknown[], answers: ResponseSchemaName | { description: string; contentType: string }) => ({
  get: {
    summary,
    security: [{ bearer: [] }, { session: [] }],
    parameters,
    responses: {
      "200": typeof answers === "string" ? jsonBody("OK", answers) : { description: answers.description, content: { [answers.contentType]: { schema: { type: "string" } } } },
      ...errors(400, 401, 403, 404),
    },
  },
});
const q = (name: string, description: string) => ({ name, in: "query", required: false, description, schema: { type: "string" } });
const p = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "string" } });

/** The OpenAPI document, its event schemas generated from the same zod schemas that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "Custody API", version: "1", description: "The chain of custody for production changes." },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "API token with scope ingest, read and/or admission" },
        session: { type: "apiKey", in: "cookie", name: "__Host-custody_session", description: "from the sign-in page; named custody_session on plain-http localhost" },
        githubSignature: { type: "apiKey", in: "header", name: "X-Hub-Signature-256" },
        gitlabToken: { type: "apiKey", in: "header", name: "X-Gitlab-Token", description: "The hook's secret token (GITLAB_WEBHOOK_SECRET, or a policy file's secret for the instance or group)" },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(responseSchemas).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: "output", unrepresentable: "any" })])),
        CustodyEvent: z.toJSONSchema(custodyEvent, { io: "input", unrepresentable: "any" }),
        EventsRequest: z.toJSONSchema(eventsRequest, { io: "input", unrepresentable: "any" }),
        DecisionRequest: z.toJSONSchema(decisionRequestSchema, { io: "input", unrepresentable: "any" }),
      },
    },
    paths: {
      "/api/v1/events": {
        post: {
          summary:
            "Ingest Custody events: one event or { events: [...] } (all-or-nothing); resending an id is a no-op; occurredAt more than the allowed skew in the future is 400; an event outside the token's scope is 403; bodies over CUSTODY_MAX_BODY_BYTES are 413 unless the body is one snapshot event (up to CUSTODY_MAX_SNAPSHOT_BYTES)",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/EventsRequest" } } } },
          responses: {
            "202": jsonBody("Stored", "Accepted"),
            ...errors(400, 401, 403, 413, 415),
          },
        },
      },
      "/api/v1/k8s/audit": {
        post: {
          summary:
            "Kubernetes audit events from the API server's audit webhook backend (an audit.k8s.io/v1 EventList): shells, attaches, port-forwards, ephemeral containers and people's writes to workloads, ConfigMaps and Secrets become drift evidence naming user.username and any impersonated user",
          security: [{ bearer: [] }],
          parameters: [{ name: "environment", in: "query", required: true, description: "The environment the cluster is (put it in the webhook kubeconfig's server URL)", schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { kind: { type: "string", enum: ["EventList"] }, apiVersion: { type: "string", enum: ["audit.k8s.io/v1"] }, items: { type: "array", items: { type: "object" } } } } } } },
          responses: {
            "202": {
              description: "Stored: `received` items, `accepted` kept as evidence, `duplicates` already stored",
              content: { "application/json": { schema: { type: "object", properties: { received: { type: "integer" }, accepted: { type: "integer" }, duplicates: { type: "integer" } } } } },
            },
            ...errors(400, 401, 403, 413, 415),
          },
        },
      },
      "/api/v1/attestations/sigstore": {
        post: {
          summary: "Sigstore bundles (one, or JSON lines as gh attestation download writes) stored verbatim and linked to an image digest; verified by the evaluator",
          security: [{ bearer: [] }],
          parameters: [{ name: "digest", in: "query", required: false, description: "The image digest (sha256:…); default: each sha256 subject of the statement", schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } }, "application/x-ndjson": { schema: { type: "string" } } } },
          responses: {
            "202": jsonBody("Stored (the verdict follows with the evaluation)", "Accepted"),
            ...errors(400, 401, 403, 413, 415),
          },
        },
      },
      "/api/v1/decisions": {
        post: {
          summary:
            "Ask a gate (merge, deployment, production-apply) about a change before it goes through: { decision: allow|deny|warn, checks, policyVersion, decisionId }; recorded in the ledger",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/DecisionRequest" } } } },
          responses: {
            "200": jsonBody("The decision; checks lists the failed, unjudgeable and waived checks with their reasons and remedies", "Decision"),
            ...errors(400, 401, 403, 413, 415),
          },
        },
      },
      "/api/v1/admission": {
        post: {
          summary:
            "Kubernetes validating admission webhook: an admission.k8s.io/v1 AdmissionReview in, an AdmissionReview with the request's uid out (always 200 once authenticated); needs a token with the admission scope (ingest tokens are still accepted)",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: {
            "200": { description: "AdmissionReview response: allowed, status.message, warnings", content: { "application/json": { schema: { type: "object" } } } },
            ...errors(401, 403),
          },
        },
      },
      "/api/v1/webhooks/github": {
        post: {
          summary: "GitHub webhook deliveries, unmodified",
          security: [{ githubSignature: [] }],
          parameters: [
            { name: "X-GitHub-Event", in: "header", required: true, schema: { type: "string" } },
            { name: "X-GitHub-Delivery", in: "header", required: true, schema: { type: "string" } },
          ],
          responses: {
            "202": jsonBody("Stored, or duplicate (the same delivery id, or the same signed body under a new delivery id)", "WebhookDelivery"),
            ...errors(400, 401, 413, 415),
          },
        },
      },
      "/api/v1/notifications/subscriptions": {
        get: { summary: "Outgoing notification targets (admins) and the delivery log, newest first", security: [{ session: [] }], responses: { "200": jsonBody("{ subscriptions, deliveries }", "NotificationTargets"), ...errors(401, 403) } },
        post: {
          summary:
            "Add a target { name, kind: webhook | slack, url (https, or http://localhost), topics: [finding, gate-denial, waiver-expiring, incident], minSeverity, environments }; a webhook target's Standard Webhooks signing secret (whsec_...) is returned once",
          security: [{ session: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["name", "kind", "url", "topics"] } } } },
          responses: { "201": { description: "{ subscription, signingSecret }" }, ...errors(400, 401, 403, 415) },
        },
      },
      "/api/v1/webhooks/flux": {
        post: {
          summary:
            "Flux notification-controller events (a generic or generic-hmac Provider whose address ends ?environment=<name>, with an Authorization: Bearer header from its Secret); each becomes a GitOps status of the object it is about",
          security: [{ bearer: [] }],
          parameters: [q("environment", "the environment the cluster is (required)")],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["involvedObject", "timestamp"] } } } },
          responses: {
            "202": { description: "{ delivery, status: stored | duplicate }" },
            ...errors(400, 401, 403, 413, 415),
          },
        },
      },
      "/api/v1/webhooks/gitlab": {
        post: {
          summary:
            "GitLab webhook deliveries (project, group or system hooks), unmodified: push, tag push, merge request (approvals included), pipeline, job, deployment, release; any other event is stored and marked not used. With a signing token configured, the Standard Webhooks signature is required too",
          security: [{ gitlabToken: [] }],
          parameters: [
            { name: "X-Gitlab-Event", in: "header", required: true, schema: { type: "string" } },
            { name: "Idempotency-Key", in: "header", required: false, description: "Delivery id (else webhook-id, else X-Gitlab-Event-UUID, else the body's SHA-256)", schema: { type: "string" } },
            { name: "X-Gitlab-Instance", in: "header", required: false, schema: { type: "string" } },
            { name: "webhook-signature", in: "header", required: false, description: "Standard Webhooks signature, with webhook-id and webhook-timestamp", schema: { type: "string" } },
          ],
          responses: {
            "202": {
              description: "Stored, or duplicate (the same delivery id, or the same body under a new delivery id)",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { delivery: { type: "string" }, status: { type: "string", enum: ["stored", "duplicate"] } } },
                },
              },
            },
            ...errors(400, 401, 413, 503),
          },
        },
      },
      "/api/v1/ledger/verify": readOp("Recompute the ledger's hash chain: { ok, events, head, firstBadSeq }", [], "LedgerVerify"),
      "/api/v1/ledger/checkpoint": readOp("The latest signed checkpoint of the ledger's RFC 9162 Merkle tree, as a C2SP signed note (text/plain): origin, tree size, base64 root hash, blank line, signature line", [], { description: "The signed note", contentType: "text/plain" }),
      "/api/v1/ledger/checkpoints": readOp("Signed checkpoints, oldest first: { checkpoints: [{ treeSize, rootHash (hex), signedAt, trigger, keyId, note }], nextCursor }", [q("from", "smallest tree size, default 0"), q("cursor", "nextCursor of the previous page"), q("limit", "1-1000, default 100")], "Checkpoints"),
      "/api/v1/ledger/proof/inclusion": readOp("RFC 9162 inclusion proof of one entry: { leafIndex, treeSize, leafHash, hashes, seq, encoding: 'hex' }; the leaf is SHA-256(0x00 || the entry's 32-byte hash)", [q("index", "0-based leaf index (= seq - 1); or seq, the entry's sequence number"), q("treeSize", "tree size of a checkpoint; default the latest")], { description: "{ leafIndex, treeSize, leafHash, hashes, seq, encoding }", contentType: "application/json" }),
      "/api/v1/ledger/proof/consistency": readOp("RFC 9162 consistency proof between two tree sizes: { from, to, hashes, encoding: 'hex' }", [q("from", "earlier tree size, at least 1"), q("to", "later tree size, at most the ledger's size")], { description: "{ from, to, hashes, encoding }", contentType: "application/json" }),
      "/api/v1/environments": readOp("Environments with their current state summary and what the latest snapshot observed", [], "Environments"),
      "/api/v1/environments/{name}/state": readOp("What ran in an environment at a time, with evidence chains", [p("name", "environment"), q("at", "ISO 8601 time, default now")], "EnvironmentState"),
      "/api/v1/deployments": readOp("Deployments, newest first, cursor-paginated", [q("environment", ""), q("service", ""), q("from", ""), q("to", ""), q("cursor", "")], "Deployments"),
      "/api/v1/deployments/{id}": readOp(
        "One deployment with its chain and gate results; every link carries source { kind, id, verified }, and notCounted lists facts the source policy set aside; the image's build provenance (verified or not and why); the gate decisions asked about the change",
        [p("id", "deployment id")],
        "Deployment",
      ),
      "/api/v1/trace/{ref}": readOp("Chains for a commit SHA, image digest, owner/repo#n or pipeline run id", [p("ref", "reference")], "Trace"),
      "/api/v1/findings": readOp("Drift and gate failures, newest first, each with the waiver in force", [
        q("status", "open or resolved"), q("rule", "rule id"), q("environment", ""), q("service", ""), q("from", "opened on or after, YYYY-MM-DD (UTC)"), q("to", "opened on or before, YYYY-MM-DD (UTC)"), q("cursor", ""), q("limit", "1-200"),
      ], "Findings"),
      "/api/v1/promotion": readOp("Per service, the digest each environment runs and whether production's passed staging first", [q("at", "ISO 8601 time, default now")], "Promotion"),
      "/api/v1/reports/{framework}": readOp("Evidence report for an audit period: soc2 or iso27001, as json, csv, pdf or a signed evidence package (zip)", [
        p("framework", "soc2 or iso27001"), q("from", "YYYY-MM-DD"), q("to", "YYYY-MM-DD, inclusive"), q("format", "json, csv, pdf or zip"), q("kind", "CSV contents"),
        q("environment", ""), q("service", ""), q("sample", "sample size"), q("seed", "sample seed"), q("confidence", "90 or 95"), q("tolerable", "5 or 10"),
      ], { description: "The report: JSON (the ReportModel), CSV, PDF or zip, per format", contentType: "application/octet-stream" }),
      "/api/v1/keys": { get: { summary: "The public key(s) that sign evidence packages (no credentials)", security: [], responses: { "200": jsonBody("The keys", "Keys") } } },
      "/api/v1/openapi.json": { get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } } } },
      "/api/v1/auth/oidc/start": { get: { summary: "Start sign-in through the organisation's OpenID Connect provider (404 when none is configured)", security: [], parameters: [q("next", "path to return to")], responses: { "302": { description: "To the provider" }, ...errors(404) } } },
      "/api/v1/auth/oidc/callback": { get: { summary: "The provider's redirect back: opens a session", security: [], responses: { "303": { description: "To the page asked for, or /sign-in with an error" }, ...errors(404) } } },
      "/api/metrics": { get: { summary: "Prometheus exposition (a read token unless CUSTODY_METRICS_PUBLIC=true)", security: [{ bearer: [] }, { session: [] }], responses: { "200": { description: "text/plain; version=0.0.4" }, ...errors(401, 403) } } },
      "/api/v1/findings/{id}/waivers": {
        ...readOp("A finding's waivers and waiver requests", [p("id", "finding id")], "Waivers"),
        post: { summary: "Request a waiver { justification, expiresAt } (findings:waive); a second signed-in person approves it", security: [{ session: [] }], parameters: [p("id", "finding id")], responses: { "201": { description: "The request" }, ...errors(400, 401, 403, 404, 409, 415) } },
      },
      "/api/v1/findings/{id}/waivers/{waiverId}": {
        patch: { summary: "Extend an active waiver { expiresAt } (findings:waive, signed in, not its requester)", security: [{ session: [] }], parameters: [p("id", "finding id"), p("waiverId", "waiver id")], responses: { "200": { description: "The waiver" }, ...errors(400, 401, 403, 404, 409, 415) } },
        delete: { summary: "Revoke a waiver now (findings:waive)", security: [{ session: [] }], parameters: [p("id", "finding id"), p("waiverId", "waiver id")], responses: { "200": { description: "The waiver" }, ...errors(401, 403, 404, 409) } },
      },
      "/api/v1/findings/{id}/waiver-requests/{requestId}/approve": {
        post: { summary: "Approve a waiver request (findings:waive, signed in, not the requester): creates the waiver", security: [{ session: [] }], parameters: [p("id", "finding id"), p("requestId", "request id")], responses: { "201": { description: "The waiver" }, ...errors(401, 403, 404, 409) } },
      },
      "/api/v1/users/{id}": {
        patch: { summary: "Change a person's role and/or disable or enable them { role?, disabled? } (users:manage); unknown role 400, last admin 409", security: [{ session: [] }], parameters: [p("id", "user id")], responses: { "200": { description: "The user" }, ...errors(400, 401, 403, 404, 409, 415) } },
      },
      "/api/v1/users/{id}/sessions": {
        delete: { summary: "End every open session of a person (users:manage)", security: [{ session: [] }], parameters: [p("id", "user id")], responses: { "200": { description: "{ ended }" }, ...errors(401, 403, 404) } },
      },
      "/api/v1/users/{id}/password-reset": {
        post: { summary: "A one-time password, shown once, to be changed at the next sign-in (users:manage)", security: [{ session: [] }], parameters: [p("id", "user id")], responses: { "200": { description: "{ oneTimePassword }" }, ...errors(401, 403, 404, 409) } },
      },
      "/api/v1/incidents": {
        ...readOp("Incidents, newest first, with status and duration", [q("status", "open or closed"), q("cursor", "")], "Incidents"),
        post: { summary: "Open an incident from drift findings { owner, findingIds, title?, environment? }; captures the environment's state (incidents:write, session)", security: [{ session: [] }], responses: { "201": { description: "{ id, url }" }, ...errors(400, 401, 403, 404, 409, 415) } },
      },
      "/api/v1/incidents/{id}": {
        ...readOp("One incident: captured state, findings, steps, fix deployment, changes before, timeline, time to restore", [p("id", "incident id")], { description: "The incident", contentType: "application/json" }),
        patch: { summary: "Set owner, fixDeploymentKey (a pipeline deployment), rootCause, correctiveAction (incidents:write)", security: [{ session: [] }], parameters: [p("id", "incident id")], responses: { "200": { description: "The incident" }, ...errors(400, 401, 403, 404, 409, 415) } },
      },
      "/api/v1/incidents/{id}/steps": {
        post: { summary: "Record a step { step: identify|fix|document|root-cause|corrective-action, notes, evidence?, doneAt? } (incidents:write)", security: [{ session: [] }], parameters: [p("id", "incident id")], responses: { "201": { description: "{ id, incident }" }, ...errors(400, 401, 403, 404, 409, 415) } },
      },
      "/api/v1/incidents/{id}/close": {
        post: { summary: "Close; 409 naming every missing step, the fix deployment, unresolved findings, root cause or corrective action (incidents:write)", security: [{ session: [] }], parameters: [p("id", "incident id")], responses: { "200": { description: "The closed incident" }, ...errors(401, 403, 404, 409) } },
      },
      "/api/v1/engagements": {
        get: { summary: "Audit engagements the caller may see: all for staff (engagements:read), their own for an engagement auditor; session only", security: [{ session: [] }], responses: { "200": jsonBody("{ engagements }", "Engagements"), ...errors(401, 403) } },
        post: { summary: "Create an engagement and freeze its population at the ledger's current tree size (engagements:manage): { name, framework, from, to, environments?, services?, endsAt? }; a period ending before it starts is 400", security: [{ session: [] }], responses: { "201": { description: "The engagement" }, ...errors(400, 401, 403, 415) } },
      },
      "/api/v1/engagements/{id}": {
        get: { summary: "One engagement as of its frozen tree size: sample, tests, requests, auditors, and what arrived since; another auditor's engagement answers 404 like a missing one", security: [{ session: [] }], parameters: [p("id", "engagement id")], responses: { "200": jsonBody("The engagement", "Engagement"), ...errors(400, 401, 403, 404) } },
      },
      "/api/v1/engagements/{id}/auditors": {
        post: { summary: "Invite an auditor by e-mail (engagements:manage): { email, name? }; answers the one-time invitation URL once; an e-mail holding a non-auditor account, or auditing another engagement, is 409", security: [{ session: [] }], parameters: [p("id", "engagement id")], responses: { "201": { description: "{ userId, email, invitationUrl, expiresAt }" }, ...errors(400, 401, 403, 404, 409) } },
      },
      "/api/v1/engagements/{id}/auditors/{userId}": {
        delete: { summary: "End an auditor's access now; open sessions are refused at once (engagements:manage)", security: [{ session: [] }], parameters: [p("id", "engagement id"), p("userId", "the auditor's user id")], responses: { "204": { description: "Ended" }, ...errors(400, 401, 403, 404) } },
      },
      "/api/v1/engagements/{id}/population": {
        get: { summary: "The frozen population, JSON or format=csv", security: [{ session: [] }], parameters: [p("id", "engagement id"), q("format", "json (default) or csv")], responses: { "200": { description: "JSON, or text/csv with format=csv", content: { "application/json": { schema: ref("EngagementPopulation") }, "text/csv": { schema: { type: "string" } } } }, ...errors(400, 401, 403, 404) } },
      },
      "/api/v1/engagements/{id}/sample": {
        post: { summary: "Draw the sample from the frozen population with the seeded method (engagements:audit): { size, seed?, reason? }; a redraw needs a reason and is audit-logged", security: [{ session: [] }], parameters: [p("id", "engagement id")], responses: { "201": { description: "The draw" }, ...errors(400, 401, 403, 404, 409) } },
      },
      "/api/v1/engagements/{id}/requests": {
        get: { summary: "The request list (PBC list), JSON or format=csv", security: [{ session: [] }], parameters: [p("id", "engagement id"), q("format", "json (default) or csv")], responses: { "200": { description: "JSON, or text/csv with format=csv", content: { "application/json": { schema: ref("EngagementRequests") }, "text/csv": { schema: { type: "string" } } } }, ...errors(400, 401, 403, 404) } },
        post: { summary: "Raise a request on the engagement or on one sampled change (engagements:audit): { title, body?, changeId? }", security: [{ session: [] }], parameters: [p("id", "engagement id")], responses: { "201": { description: "The request" }, ...errors(400, 401, 403, 404, 409) } },
      },
      "/api/v1/engagements/{id}/requests/{requestId}/answers": {
        post: { summary: "Answer a request (engagements:manage): multipart/form-data with body and up to five files (10 MiB each; pdf, png, jpg, zip, xlsx, docx, txt, csv, json, log, md; content checked); stored by SHA-256, hashes in the audit log", security: [{ session: [] }], parameters: [p("id", "engagement id"), p("requestId", "request id")], responses: { "201": { description: "The request with its thread" }, ...errors(400, 401, 403, 404, 409, 413, 415) } },
      },
      "/api/v1/engagements/{id}/requests/{requestId}/resolution": {
        post: { summary: "Accept the answer or reopen the request (engagements:audit): { action: accept | reopen, note? }", security: [{ session: [] }], parameters: [p("id", "engagement id"), p("requestId", "request id")], responses: { "200": { description: "The request with its thread" }, ...errors(400, 401, 403, 404, 409) } },
      },
      "/api/v1/engagements/{id}/tests/{changeId}": {
        put: { summary: "Mark a sampled change tested (engagements:audit): { result: pass | exception, note } (an exception needs a note)", security: [{ session: [] }], parameters: [p("id", "engagement id"), p("changeId", "change id of the sample in force")], responses: { "200": { description: "The mark" }, ...errors(400, 401, 403, 404, 409) } },
      },
      "/api/v1/engagements/{id}/close": {
        post: { summary: "Sign off and close (engagements:audit): { conclusion }; 409 naming untested changes and unaccepted requests", security: [{ session: [] }], parameters: [p("id", "engagement id")], responses: { "200": { description: "The closed engagement" }, ...errors(400, 401, 403, 404, 409) } },
      },
      "/api/v1/engagements/{id}/attachments/{attachmentId}": {
        get: { summary: "Download an answer's file: always Content-Disposition: attachment with a safe name, never inline", security: [{ session: [] }], parameters: [p("id", "engagement id"), p("attachmentId", "attachment id")], responses: { "200": { description: "The file, as an attachment", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }, ...errors(400, 401, 403, 404) } },
      },
      "/api/v1/engagements/{id}/export": {
        get: { summary: "The closing summary (format=pdf) or the signed evidence package (format=zip) that `custody verify-package` checks offline", security: [{ session: [] }], parameters: [p("id", "engagement id"), q("format", "pdf (default) or zip")], responses: { "200": { description: "application/pdf or application/zip", content: { "application/pdf": { schema: { type: "string", format: "binary" } }, "application/zip": { schema: { type: "string", format: "binary" } } } }, ...errors(400, 401, 403, 404, 503) } },
      },
      "/api/v1/audit-log": {
        get: { summary: "Audit log, newest first: who did what, when, from where (admins and auditors; session only)", security: [{ session: [] }], parameters: [q("cursor", "nextCursor of the previous page"), q("limit", "1-500, default 50"), q("actor", "actor, any case"), q("action", "an action or a family ending in a dot, e.g. auth."), q("from", "YYYY-MM-DD (UTC)"), q("to", "YYYY-MM-DD (UTC), inclusive")], responses: { "200": jsonBody("{ entries, nextCursor }", "AuditLog"), ...errors(400, 401, 403) } },
      },
      "/api/v1/audit-log/export": {
        get: { summary: "The whole audit log as CSV with its chain hashes (the export is itself audited)", security: [{ session: [] }], responses: { "200": { description: "The audit log as CSV", content: { "text/csv": { schema: { type: "string" } } } }, ...errors(401, 403) } },
      },
      "/api/v1/auth/sign-in": {
        post: { summary: "Email and password sign-in: JSON { email, password } or the sign-in form; sets the session cookie", security: [], responses: { "200": { description: "Signed in" }, "303": { description: "Form: back to next" }, ...errors(400, 401, 403, 415, 429) } },
      },
      "/api/v1/auth/sign-out": {
        post: { summary: "Revokes the session and clears its cookie", security: [{ session: [] }], responses: { "200": { description: "Signed out" }, ...errors(403) } },
      },
      "/api/health": { get: { summary: "Liveness and database reachability", security: [], responses: { "200": { description: "OK" }, "503": { description: "Database unreachable" } } } },
    },
  };
}
