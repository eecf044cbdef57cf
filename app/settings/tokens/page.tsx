import type { Metadata } from "next";
import { Status } from "@/components/status";
import { Time } from "@/components/time";
import { requireUser } from "@/lib/auth/current-user";
import { listTokens } from "@/lib/auth/tokens";
import { getDb } from "@/lib/db";
import { eventTypes } from "@/lib/events/schema";
import { revokeTokenAction } from "./actions";
import { IssueTokenForm } from "./issue-token-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

function describeScope(t: { eventTypes: string[]; repositories: string[]; environments: string[] }): string {
  const parts = [
    t.eventTypes.length > 0 ? `types: ${t.eventTypes.join(", ")}` : null,
    t.repositories.length > 0 ? `repositories: ${t.repositories.join(", ")}` : null,
    t.environments.length > 0 ? `environments: ${t.environments.join(", ")}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join("; ") : "any event";
}

export default async function TokensPage() {
  await requireUser("tokens:manage", "/settings/tokens");
  const tokens = await listTokens(await getDb());
  const now = new Date();
  return (
    <>
      <h1>API tokens</h1>
      <p className="lead">Machine access: CI pipelines send events with an ingest token; auditors&apos; tools read with a read token.</p>
      <table>
        <caption className="sr-only">API tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Limited to</th>
            <th scope="col">Expires</th>
            <th scope="col">Starts with</th>
            <th scope="col">Issued by</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.name}</th>
              <td>{t.scopes.join(", ")}</td>
              <td>{describeScope(t)}</td>
              <td>{t.expiresAt ? <>{t.expiresAt <= now ? <Status value="expired" /> : null} <Time value={t.expiresAt} /></> : "never"}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{t.createdBy}</td>
              <td>
                <Time value={t.createdAt} />
              </td>
              <td>
                <Time value={t.lastUsedAt} />
              </td>
              <td>
                {t.revokedAt ? (
                  <>
                    revoked <Time value={t.revokedAt} />
                  </>
                ) : (
                  <form action={revokeTokenAction}>
                    <input type="hidden" name="id" value={t.id} />
                    <button type="submit" aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <IssueTokenForm eventTypes={eventTypes} />
    </>
  );
}
