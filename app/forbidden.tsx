import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { currentSession } from "@/lib/auth/current-user";
import { permissionsOf, roles } from "@/lib/auth/permissions";
import { PAGE_PATH_HEADER, pagePermission } from "@/lib/navigation/pages";

export const metadata: Metadata = { title: "Not allowed" };

const what: Record<string, string> = {
  "evidence:read": "read evidence",
  "findings:waive": "waive findings",
  "incidents:write": "open and edit incidents",
  "reports:export": "export evidence reports",
  "audit:read": "read the audit log",
  "users:manage": "manage users",
  "tokens:manage": "manage API tokens",
  "settings:manage": "change settings",
};

/** 403: which page, what it needs, and which roles have it; the refusal is already in the audit log. */
export default async function Forbidden() {
  const page = (await headers()).get(PAGE_PATH_HEADER);
  const session = await currentSession();
  const denied = page && session ? { page, permission: pagePermission(page), role: session.user.role } : null;
  const needed = denied ? roles.filter((r) => permissionsOf(r).includes(denied.permission)) : [];
  return (
    <section className="page-state page-state-error" aria-labelledby="forbidden-heading">
      <p className="status status-bad">403 Forbidden</p>
      <h1 id="forbidden-heading">Your role may not open this page</h1>
      {denied ? (
        <p>
          <code>{denied.page}</code> needs the permission to {what[denied.permission] ?? denied.permission} (<code>{denied.permission}</code>), which the{" "}
          {needed.join(", ")} {needed.length === 1 ? "role has" : "roles have"}. You are signed in as <strong>{denied.role}</strong>.
        </p>
      ) : (
        <p>Your role does not include the permission this page needs.</p>
      )}
      <p>Ask an administrator for another role if your work needs it. The refusal was recorded in the audit log.</p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
