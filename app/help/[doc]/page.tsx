import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { currentSession, requireUser } from "@/lib/auth/current-user";
import { roleCan } from "@/lib/auth/permissions";
import { helpDocs, helpPage, isHelpDoc } from "@/lib/help/docs";

export const dynamic = "force-dynamic";
const titles: Record<string, string> = { operators: "Operators", pipelines: "Pipeline authors", auditors: "Auditors", developers: "Developers" };

/** The tab names the guide open, not "Help" alone for all four. */
export async function generateMetadata({ params }: { params: Promise<{ doc: string }> }): Promise<Metadata> {
  const { doc } = await params;
  return { title: isHelpDoc(doc) ? `Help for ${titles[doc]?.toLowerCase() ?? doc}` : "Help" };
}

/**
 * The reader guides (docs/*.md) inside the app, so every page's Help link lands on its section. An
 * auditor from outside (engagements only) reads the auditors' guide, where their workspace is
 * explained; their header's Help link led to a 403.
 */
export default async function HelpPage({ params }: { params: Promise<{ doc: string }> }) {
  const { doc } = await params;
  const role = (await currentSession())?.user.role;
  const external = role !== undefined && !roleCan(role, "evidence:read");
  await requireUser(external && doc === "auditors" ? "engagements:read" : "evidence:read", `/help/${doc}`);
  if (!isHelpDoc(doc)) notFound();
  const html = await helpPage(doc);
  return (
    <>
      <nav aria-label="Help" className="help-nav">
        {helpDocs.filter((d) => !external || d === "auditors").map((d) => (
          <Link key={d} href={`/help/${d}`} aria-current={d === doc ? "page" : undefined}>
            {titles[d]}
          </Link>
        ))}
      </nav>
      {/* Our own markdown, escaped by renderMarkdown: no HTML from the docs passes through. */}
      <article className="help" dangerouslySetInnerHTML={{ __html: html }} />
    </>
  );
}
