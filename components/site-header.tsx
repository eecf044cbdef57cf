import Link from "next/link";
import { headers } from "next/headers";
import { helpHref } from "@/lib/help/docs";
import { PAGE_PATH_HEADER } from "@/lib/navigation/pages";
import { currentSession } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { UserMenu } from "./user-menu";

const links = [
  { href: "/", label: "Overview" },
  { href: "/environments", label: "Environments" },
  { href: "/promotion", label: "Promotion" },
  { href: "/findings", label: "Findings" },
  { href: "/incidents", label: "Incidents" },
  { href: "/posture", label: "Posture" },
];

export async function SiteHeader() {
  const page = (await headers()).get(PAGE_PATH_HEADER) ?? "/";
  // An engagement auditor reads nothing but their engagement: no evidence pages to link to.
  const session = await currentSession();
  const reader = !session || roleCan(session.user.role, "evidence:read");
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        Custody
      </Link>
      {reader ? <nav aria-label="Main">
        {links.map((l) => (
          <Link key={l.href} href={l.href}>
            {l.label}
          </Link>
        ))}
      </nav> : null}
      {reader ? <search className="header-search">
        <form action="/trace" method="get" role="search" aria-label="Trace a change">
          <label htmlFor="trace-ref" className="sr-only">
            Commit SHA, image digest, owner/repo#PR or pipeline run id
          </label>
          <input id="trace-ref" name="ref" type="search" required placeholder="Trace: SHA, digest, PR, run" />
          <button type="submit">Trace</button>
        </form>
      </search> : null}
      <Link href={helpHref(page)} className="help-link" aria-label="Help for this page">
        Help
      </Link>
      <UserMenu />
    </header>
  );
}
