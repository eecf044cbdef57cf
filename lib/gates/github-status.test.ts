import { createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { components } from "@octokit/openapi-types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { evaluationSettled } from "../evaluation/queue";
import { change } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { decide } from "./decide";

type Received = { method: string; path: string; headers: IncomingMessage["headers"]; body: Record<string, unknown> };

/**
 * A local server answering as api.github.com does for the three calls Custody makes (status codes
 * and bodies of GitHub's OpenAPI description, typed by @octokit/openapi-types). Set `failWith` to
 * answer errors.
 */
let received: Received[] = [];
let failWith: number | null = null;
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const installationToken: components["schemas"]["installation-token"] = { token: "ghs_16C7e42F292c6912E7710c838347Ae178B4a", expires_at: "2026-03-14T11:00:00Z" };

let server: Server;
let apiUrl = "";
let handle: DatabaseHandle;
const c = change({ key: "github" });

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      const r = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: JSON.parse(text || "{}") as Record<string, unknown> };
      received.push(r);
      const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
      if (failWith !== null) return send(failWith, { message: "Server Error", documentation_url: "https://docs.github.com/rest" });
      if (r.path.startsWith("/app/installations/")) return send(201, installationToken);
      if (r.path.includes("/statuses/")) return send(201, { id: 1, state: r.body.state, context: r.body.context, description: r.body.description, target_url: r.body.target_url ?? null });
      if (r.path.endsWith("/check-runs")) return send(201, { id: 4, name: r.body.name, head_sha: r.body.head_sha, status: "completed", conclusion: r.body.conclusion });
      return send(404, { message: "Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  handle = await createTestDatabase();
  const body = { events: c.events.filter((e) => !String(e.id).includes("production")) };
  await ingestEvents(handle.db, body, JSON.stringify(body));
  await evaluationSettled(handle.db);
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await handle?.close();
});
beforeEach(() => {
  received = [];
  failWith = null;
});

const publicUrl = "https://custody.example.com";

describe("decisions reported on the commit in GitHub", () => {
  it("with a token: a commit status custody/merge-gate on the merge commit, linking to its evidence", async () => {
    const answer = await decide(handle.db, { gate: "merge", environment: "production", pullRequest: c.pr }, "token:ci", { github: { kind: "token", apiUrl, token: "ghp_test", publicUrl } });
    expect(answer.decision).toBe("allow");
    expect(answer.github).toEqual({ posted: "status", context: "custody/merge-gate", repository: "acme/checkout", sha: c.mergeSha });
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r).toMatchObject({ method: "POST", path: `/repos/acme/checkout/statuses/${c.mergeSha}` });
    expect(r?.headers).toMatchObject({ authorization: "Bearer ghp_test", accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" });
    const expected: Partial<Record<string, unknown>> = { state: "success", context: "custody/merge-gate", description: "All checks passed", target_url: `${publicUrl}/trace/${c.mergeSha}` };
    expect(r?.body).toEqual(expected);
  });

  it("with an App: a check run custody/production-apply, failing with the failed checks, after exchanging a signed JWT for an installation token", async () => {
    const answer = await decide(
      handle.db,
      { gate: "production-apply", environment: "production", digest: c.digest },
      "token:ci",
      { now: new Date("2026-03-16T12:00:00Z"), github: { kind: "app", apiUrl, appId: "123456", privateKey, installationId: "987", publicUrl } },
    );
    expect(answer.decision).toBe("deny");
    expect(answer.github).toMatchObject({ posted: "check-run", context: "custody/production-apply" });
    const [exchange, checkRun] = received;
    expect(exchange?.path).toBe("/app/installations/987/access_tokens");
    const jwt = String(exchange?.headers.authorization).replace(/^Bearer /, "");
    const [head = "", payload = "", signature = ""] = jwt.split(".");
    expect(createVerify("RSA-SHA256").update(`${head}.${payload}`).verify(publicKey, Buffer.from(signature, "base64url"))).toBe(true);
    expect(JSON.parse(Buffer.from(payload, "base64url").toString())).toMatchObject({ iss: "123456" });
    expect(checkRun).toMatchObject({ path: "/repos/acme/checkout/check-runs", headers: { authorization: `Bearer ${installationToken.token}` } });
    expect(checkRun?.body).toMatchObject({ name: "custody/production-apply", head_sha: c.mergeSha, status: "completed", conclusion: "failure", external_id: answer.decisionId, details_url: `${publicUrl}/trace/${c.mergeSha}` });
    expect(String((checkRun?.body.output as { text: string }).text)).toContain("prod.backup-verified");
  });

  it("keeps the decision when GitHub fails, and says so", async () => {
    failWith = 502;
    const answer = await decide(handle.db, { gate: "merge", environment: "production", pullRequest: c.pr }, "token:ci", { github: { kind: "token", apiUrl, token: "ghp_test", publicUrl } });
    expect(answer.decision).toBe("allow");
    expect(answer.github).toMatchObject({ error: expect.stringContaining("GitHub answered 502") });
  });
});
