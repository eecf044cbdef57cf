import { readFile } from "node:fs/promises";
import path from "node:path";

/** The reader guides served at /help/<doc> (docs/<doc>.md). */
export const helpDocs = ["operators", "pipelines", "auditors", "developers"] as const;
export type HelpDoc = (typeof helpDocs)[number];

export const isHelpDoc = (v: string): v is HelpDoc => (helpDocs as readonly string[]).includes(v);

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

/** The docs section that explains each page (by path prefix, longest first). */
const sections: readonly [prefix: string, doc: HelpDoc, heading: string][] = [
  ["/settings/notifications", "operators", "Notifications"],
  ["/settings/tokens", "operators", "Accounts, roles and the audit log"],
  ["/settings/users", "operators", "Accounts, roles and the audit log"],
  ["/audit-log", "operators", "Accounts, roles and the audit log"],
  ["/incidents", "operators", "Incidents"],
  ["/findings", "operators", "Drift detection"],
  ["/engagements", "auditors", "Audit engagements: the external auditor's workspace"],
  ["/reports", "auditors", "Evidence reports"],
  ["/deployments", "auditors", "Evidence chains and the three gates"],
  ["/trace", "auditors", "Evidence chains and the three gates"],
  ["/promotion", "auditors", "Evidence chains and the three gates"],
  ["/environments", "auditors", "Dashboard"],
  ["/posture", "auditors", "Dashboard"],
  ["/", "auditors", "Dashboard"],
];

/** Where the Help link of a page points: `/help/auditors#dashboard`. */
export function helpHref(pagePath: string): string {
  const hit = sections.find(([prefix]) => (prefix === "/" ? pagePath === "/" : pagePath === prefix || pagePath.startsWith(`${prefix}/`))) ?? sections[sections.length - 1];
  const [, doc, heading] = hit ?? ["/", "auditors", "Dashboard"];
  return `/help/${doc}#${slugOf(heading)}`;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Inline markdown: code, bold, links (relative .md links stay inside /help). */
function inline(text: string): string {
  return escape(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, href: string) => {
      const local = /^([a-z]+)\.md(#[\w-]*)?$/.exec(href);
      const target = local && isHelpDoc(local[1] ?? "") ? `/help/${local[1]}${local[2] ?? ""}` : /^https:\/\//.test(href) || href.startsWith("#") ? href : null;
      return target ? `<a href="${target}">${label}</a>` : label;
    });
}

/**
 * A small, safe markdown renderer for our own docs: headings with GitHub's anchors, fenced code,
 * lists, tables and paragraphs. Everything is escaped first; no HTML in the docs is passed through.
 */
export function renderMarkdown(md: string): string {
  const out: string[] = [];
  const lines = md.split("\n");
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) out.push(`<p>${inline(para.join(" "))}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const fence = /^(\s*)```/.exec(line);
    if (fence) {
      flush();
      // A fence inside a list item is indented: the block loses that indentation.
      const indent = fence[1]?.length ?? 0;
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i] ?? ""); i++) code.push((lines[i] ?? "").slice(Math.min(indent, (lines[i] ?? "").search(/\S|$/))));
      out.push(`<pre><code>${escape(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]?.length ?? 2;
      const text = heading[2] ?? "";
      out.push(`<h${level} id="${slugOf(text)}">${inline(text)}</h${level}>`);
      continue;
    }
    if (line.startsWith("|")) {
      flush();
      const rows: string[][] = [];
      for (; i < lines.length && (lines[i] ?? "").startsWith("|"); i++) {
        const cells = (lines[i] ?? "").replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
        if (!cells.every((c) => /^:?-+:?$/.test(c))) rows.push(cells);
      }
      i--;
      const [head, ...body] = rows;
      out.push(
        `<table><thead><tr>${(head ?? []).map((c) => `<th scope="col">${inline(c)}</th>`).join("")}</tr></thead><tbody>${body.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`,
      );
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      flush();
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]\s+|\s{2,}\S)/.test(lines[i] ?? "") && !/^\s*```/.test(lines[i] ?? ""); i++) {
        const l = lines[i] ?? "";
        if (/^\s*[-*]\s+/.test(l)) items.push(l.replace(/^\s*[-*]\s+/, ""));
        else items[items.length - 1] = `${items[items.length - 1] ?? ""} ${l.trim()}`;
      }
      i--;
      out.push(`<ul>${items.map((it) => `<li>${inline(it)}</li>`).join("")}</ul>`);
      continue;
    }
    if (line.trim() === "") flush();
    else para.push(line.trim());
  }
  flush();
  return out.join("\n");
}

/** docs/<doc>.md as HTML; the docs ship beside the app (next.config.ts outputFileTracingIncludes). */
export async function helpPage(doc: HelpDoc): Promise<string> {
  return renderMarkdown(await readFile(path.join(process.cwd(), "docs", `${doc}.md`), "utf8"));
}
