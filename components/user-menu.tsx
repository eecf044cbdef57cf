import Link from "next/link";
import { currentSession } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";

/** Who is signed in, the pages their role may open, and sign-out (a POST, so a link cannot sign anyone out). */
export async function UserMenu() {
  const session = await currentSession();
  if (!session) return <Link href="/sign-in">Sign in</Link>;
  const { user } = session;
  return (
    <nav aria-label="Account" className="user-menu">
      {roleCan(user.role, "engagements:read") ? <Link href="/engagements">Engagements</Link> : null}
      {roleCan(user.role, "reports:export") ? <Link href="/reports">Reports</Link> : null}
      {roleCan(user.role, "audit:read") ? <Link href="/audit-log">Audit log</Link> : null}
      {roleCan(user.role, "users:manage") ? <Link href="/settings/users">Users</Link> : null}
      {roleCan(user.role, "tokens:manage") ? <Link href="/settings/tokens">API tokens</Link> : null}
      <span className="muted">
        {user.name} ({user.role})
      </span>
      <form method="post" action="/api/v1/auth/sign-out">
        <button type="submit">Sign out</button>
      </form>
    </nav>
  );
}
