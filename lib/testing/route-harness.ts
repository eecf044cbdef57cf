import type { DatabaseHandle } from "@/db/client";
import { createTestDatabase } from "@/db/testing";
import { createToken, revokeToken } from "../auth/tokens";
import { setDatabase } from "../db";
import { demoDatabase } from "./demo-database";

export interface RouteHarness {
  handle: DatabaseHandle;
  tokens: { ingest: string; read: string; admission: string; both: string; revoked: string };
}

/** A fresh database wired into the route handlers, with one token of each kind (and the demo history, if asked). */
export async function setupRouteHarness(opts: { demo?: "full" | "30-days" } = {}): Promise<RouteHarness> {
  const handle = opts.demo ? await demoDatabase(opts.demo) : await createTestDatabase();
  setDatabase(handle);
  const ingest = await createToken(handle.db, { name: "ci", scopes: ["ingest"], createdBy: "test" });
  const read = await createToken(handle.db, { name: "auditor-tool", scopes: ["read"], createdBy: "test" });
  const admission = await createToken(handle.db, { name: "k8s-webhook", scopes: ["admission"], createdBy: "test" });
  const both = await createToken(handle.db, { name: "both", scopes: ["ingest", "read"], createdBy: "test" });
  const revoked = await createToken(handle.db, { name: "old", scopes: ["ingest", "read"], createdBy: "test" });
  await revokeToken(handle.db, revoked.id);
  return { handle, tokens: { ingest: ingest.token, read: read.token, admission: admission.token, both: both.token, revoked: revoked.token } };
}

export function jsonRequest(url: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${url}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function errorOf(res: Response): Promise<{ code: string; message: string; requestId: string }> {
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  return body.error;
}

export const noContext = { params: Promise.resolve({}) };
