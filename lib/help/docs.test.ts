import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { helpDocs, helpHref, renderMarkdown, slugOf } from "./docs";

const pages = ["/", "/environments", "/environments/production", "/promotion", "/findings", "/findings/12", "/incidents", "/incidents/new", "/posture", "/reports", "/audit-log", "/trace/abc", "/deployments/7", "/settings/users", "/settings/tokens", "/settings/notifications", "/engagements", "/engagements/3"];

describe("Help links", () => {
  it.each(pages)("%s links to a section that exists in its doc", (page) => {
    const href = helpHref(page);
    const [, doc, anchor] = /^\/help\/([a-z]+)#(.+)$/.exec(href) ?? [];
    expect(helpDocs).toContain(doc);
    const headings = readFileSync(`docs/${doc}.md`, "utf8").split("\n").filter((l) => /^#{1,4} /.test(l)).map((l) => slugOf(l.replace(/^#+\s+/, "")));
    expect(headings, `${page} -> ${href}`).toContain(anchor);
  });

  it("sends an engagement's reader to the workspace's section, not the dashboard's", () => {
    expect(helpHref("/engagements/3")).toBe("/help/auditors#audit-engagements-the-external-auditors-workspace");
  });

  it("renders the docs escaped: no HTML from the markdown passes through", () => {
    const html = renderMarkdown("## A `b` <c>\n\ntext <script>alert(1)</script> [x](javascript:alert(1)) [ops](operators.md#configuration)");
    expect(html).toContain('<h2 id="a-b-c">');
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("javascript:");
    expect(html).toContain('<a href="/help/operators#configuration">ops</a>');
  });

  it("keeps a fenced block inside a list item as code", () => {
    const html = renderMarkdown("- an item:\n\n  ```json\n  { \"a\": 1 }\n  ```\n- next");
    expect(html).toContain('<pre><code>{ &quot;a&quot;: 1 }</code></pre>');
    expect(html).toContain("<li>next</li>");
  });
});
