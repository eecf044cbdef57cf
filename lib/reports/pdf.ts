import PDFDocument from "pdfkit";
import { type ChangeEvidence } from "./change-evidence";
import { registerFonts } from "./pdf-fonts";
import { contentWidth, ensureSpace, facts, heading, ink, paragraph, setFont, table, write } from "./pdf-layout";
import { exceptionsShownPerRule, type ReportModel } from "./report";
import { ruleControlLabels, ruleSeverity, ruleTitle } from "./rule-text";

type Doc = InstanceType<typeof PDFDocument>;

/** Where each section starts, for the contents page and the PDF outline. */
interface Toc {
  entries: { title: string; level: 1 | 2; page: number }[];
}

function mark(doc: Doc, toc: Toc, title: string, level: 1 | 2 = 1): void {
  toc.entries.push({ title, level, page: doc.bufferedPageRange().count });
  if (level === 1) doc.outline.addItem(title);
}

/** A change as a reader names it: its service and pull request, not Custody's internal id. */
const changeName = (service: string, pullRequest: string): string => (pullRequest ? `${service} · ${pullRequest}` : `${service} · no pull request`);

function cover(doc: Doc, m: ReportModel): void {
  setFont(doc, "regular", 10, ink.muted);
  write(doc, "CUSTODY  ·  EVIDENCE REPORT", undefined, undefined, { characterSpacing: 1 });
  doc.moveDown(2);
  setFont(doc, "bold", 24);
  write(doc, "Change management evidence", undefined, undefined, {}, "bold");
  doc.moveDown(0.3);
  setFont(doc, "bold", 16);
  write(doc, m.organisation ?? "Organisation not configured (set CUSTODY_ORGANISATION)", undefined, undefined, {}, "bold");
  doc.moveDown(0.3);
  setFont(doc, "regular", 14, ink.muted);
  write(doc, m.frameworkName, undefined, undefined);
  doc.moveDown(0.2);
  setFont(doc, "regular", 12, ink.text);
  write(doc, `${m.periodInWords} (UTC, both days included)`, undefined, undefined);
  doc.moveDown(2);
  facts(doc, [
    ["Organisation", m.organisation ?? "not configured"],
    ["Framework", `${m.framework} (${m.frameworkName})`],
    ["Period", `${m.periodInWords}; as an interval ${m.period} (from inclusive, to exclusive)`],
    ["Prepared by", `${m.preparedBy}, with Custody, on ${m.generatedAt.slice(0, 10)} at ${m.generatedAt.slice(11, 19)} UTC`],
    ["Environments", m.environments.join(", ") || "(no production environment recorded)"],
    ["Services", m.services.length > 0 ? m.services.join(", ") : "all"],
    ["Population", `${m.populationSize} production changes (successful deployments in the period)`],
    ["Exceptions", `${m.exceptions.total} entries in the exception register, under ${Object.keys(m.exceptions.byRule).length} rules`],
    ["Sample", `${m.sample.size} changes, seed ${m.sample.seed} (${m.sample.basis})`],
    ["Policy in force", `version ${m.policy.inForce.version}`],
    ["Generated at", m.generatedAt],
    ["Generator", m.generatorVersion],
    ["Ledger head", `entry ${m.ledgerHead.seq}, SHA-256 ${m.ledgerHead.hash}`],
  ]);
  doc.moveDown(1.5);
  paragraph(
    doc,
    "The population is built from deployment records ingested into Custody's hash-chained ledger, not from tickets. Control references are identifiers with short titles in Custody's own words; they are not the text of the standards. The ledger head above lets a reader tie this report to the ledger: `custody verify` recomputes the chain, and an evidence package carries the ledger extract and a signed SHA-256 manifest.",
    { color: ink.muted },
  );
}

const tocLineHeight = (level: 1 | 2) => (level === 1 ? 16 : 13);
/** Room for contents lines on a page, below the "Contents" heading. */
const tocRoom = (doc: Doc) => doc.page.height - doc.page.margins.top - doc.page.margins.bottom - 50;

/** The page (0-based, from the first contents page) each contents line goes on. */
function tocPageOf(doc: Doc, levels: (1 | 2)[]): number[] {
  let page = 0;
  let used = 0;
  return levels.map((level) => {
    if (used + tocLineHeight(level) > tocRoom(doc)) {
      page += 1;
      used = 0;
    }
    used += tocLineHeight(level);
    return page;
  });
}

/** The contents lines this report will have, known before rendering: the pages they need are reserved up front. */
function plannedTocLevels(m: ReportModel): (1 | 2)[] {
  const rules = new Set(m.exceptions.shown.map((e) => e.ruleId)).size;
  const sections = 7 + (m.exceptions.total > 0 ? 1 : 0) + (m.sample.changes.length > 0 ? 1 : 0);
  return [...Array<1>(sections).fill(1), ...Array<2>(rules + m.sample.changes.length).fill(2)];
}

function contents(doc: Doc, toc: Toc, firstPage: number): void {
  const pages = tocPageOf(doc, toc.entries.map((e) => e.level));
  const x = doc.page.margins.left;
  const w = contentWidth(doc);
  let current = -1;
  toc.entries.forEach((e, i) => {
    const page = pages[i] ?? 0;
    if (page !== current) {
      current = page;
      doc.switchToPage(firstPage + page);
      doc.y = doc.page.margins.top;
      if (page === 0) heading(doc, "Contents");
      else doc.y += 50;
    }
    const y = doc.y;
    const indent = e.level === 1 ? 0 : 16;
    const weight = e.level === 1 ? "bold" : "regular";
    setFont(doc, weight, e.level === 1 ? 10 : 9);
    write(doc, e.title, x + indent, y, { width: w - indent - 50, lineBreak: false, ellipsis: true }, weight);
    write(doc, String(e.page), x, y, { width: w, align: "right", lineBreak: false }, weight);
    doc.y = y + tocLineHeight(e.level);
  });
}

function controlsSection(doc: Doc, m: ReportModel, toc: Toc): void {
  mark(doc, toc, "Summary per control");
  heading(doc, `Summary per control (${m.frameworkName})`);
  paragraph(
    doc,
    "Evaluated: changes with a stored check result for the control's rules. Passing: evaluated changes with no failed or missing-evidence check and no finding for those rules. Exception entries count the register below, drift findings included.",
    { color: ink.muted, size: 8 },
  );
  table(
    doc,
    [
      { header: "Control", width: 0.21 },
      { header: "Rules", width: 0.29 },
      { header: "Population", width: 0.1, align: "right" },
      { header: "Evaluated", width: 0.1, align: "right" },
      { header: "Passing", width: 0.08, align: "right" },
      { header: "Changes with exceptions", width: 0.11, align: "right" },
      { header: "Exception entries", width: 0.11, align: "right" },
    ],
    m.controls.map((c) => [
      `${c.control.id} ${c.control.title}`,
      c.rules.join(", "),
      String(m.populationSize),
      String(c.evaluated),
      String(c.passing),
      String(c.changesWithExceptions),
      String(c.exceptionEntries),
    ]),
    { colorOf: (row, col) => (col >= 5 && row[col] !== "0" ? ink.bad : undefined) },
  );
  if (m.policy.versionsUsed.length > 1) {
    paragraph(doc, `The policy changed during the period: checks were judged under versions ${m.policy.versionsUsed.map((v) => `${v.version} (${v.checks} checks)`).join(", ")}.`, { color: ink.bad });
  }
}

function exceptionsSection(doc: Doc, m: ReportModel, toc: Toc): void {
  ensureSpace(doc, 160);
  mark(doc, toc, "Exceptions by rule");
  heading(doc, `Exceptions by rule (${m.exceptions.total})`);
  if (m.exceptions.total === 0) return paragraph(doc, "No failed checks or findings in scope during the period.");
  const rules = Object.entries(m.exceptions.byRule).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  paragraph(doc, "Each rule with the number of exception entries in the period, most first; the detail follows, grouped the same way, each entry dated by the change it concerns.", { color: ink.muted, size: 8 });
  table(
    doc,
    [
      { header: "Rule", width: 0.42 },
      { header: "Severity", width: 0.1 },
      { header: "Controls", width: 0.38 },
      { header: "Entries", width: 0.1, align: "right" },
    ],
    rules.map(([rule, count]) => [`${rule}\n${ruleTitle(rule)}`, ruleSeverity(rule), ruleControlLabels(rule, m.framework), String(count)]),
    { size: 8 },
  );
  ensureSpace(doc, 160);
  mark(doc, toc, "Exceptions in detail");
  heading(doc, "Exceptions in detail");
  const listed = m.exceptions.shown.length;
  if (m.exceptions.total > listed) {
    paragraph(doc, `${listed} of ${m.exceptions.total} entries are listed (at most ${exceptionsShownPerRule} per rule); exceptions.csv in the evidence package and the exceptions register CSV hold them all.`, { color: ink.muted });
  }
  for (const [rule, count] of rules) {
    const rows = m.exceptions.shown.filter((e) => e.ruleId === rule).sort((a, b) => a.changeAt.localeCompare(b.changeAt));
    if (rows.length === 0) continue;
    ensureSpace(doc, 120);
    mark(doc, toc, `${rule} (${count})`, 2);
    heading(doc, `${rule}: ${ruleTitle(rule)} (${count}${rows.length < count ? `, ${rows.length} listed` : ""})`, 11);
    table(
      doc,
      [
        { header: "Change", width: 0.25 },
        { header: "Change date", width: 0.14 },
        { header: "Result", width: 0.12 },
        { header: "Evidence", width: 0.32 },
        { header: "Waiver", width: 0.17 },
      ],
      rows.map((e) => [
        `${e.changeId ? changeName(e.service, e.pullRequest) : `${e.service || "-"} · ${e.subject}`}\n${e.environment}${e.changeId ? `, change ${e.changeId}` : ""}`,
        `${e.changeAt.slice(0, 10)}\n${e.changeAt.slice(11, 16)} UTC`,
        e.result,
        e.evidence,
        e.waiver || "none",
      ]),
      { size: 7 },
    );
  }
}

function provenanceSection(doc: Doc, m: ReportModel, toc: Toc): void {
  const p = m.provenance;
  ensureSpace(doc, 160);
  mark(doc, toc, "Build provenance");
  heading(doc, "Build provenance");
  const share = p.share === null ? "no production deployments in the period" : `${(p.share * 100).toFixed(1)} % (${p.verified} of ${p.deployments})`;
  facts(doc, [
    ["Controls", p.controls.join("; ")],
    ["Verified provenance", share],
    ["Meaning", "the deployed digest had a Sigstore-signed SLSA provenance that verified offline against the trusted roots, about that digest, from a signer the policy expects"],
  ]);
  if (p.exceptions.total === 0) return paragraph(doc, "Every production deployment in scope had verified provenance.");
  doc.moveDown(0.3);
  table(
    doc,
    [
      { header: "Deployments without trusted provenance", width: 0.8 },
      { header: "Count", width: 0.2, align: "right" },
    ],
    p.byStatus.map((s) => [s.status, String(s.count)]),
    { size: 8 },
  );
  if (p.absentByService.length > 0) {
    paragraph(doc, `With no provenance at all, by service: ${p.absentByService.map((s) => `${s.service} ${s.count}`).join(", ")}.`);
  }
  const failed = p.exceptions.shown.filter((e) => e.status !== "no provenance");
  if (failed.length === 0) return paragraph(doc, "No provenance was presented and refused: no bundle failed verification or came from an unexpected signer.", { color: ink.muted });
  paragraph(doc, "Provenance that was presented but not trusted (a bundle that failed verification, or a signer the policy does not expect): these are the entries to examine.", { color: ink.muted, size: 8 });
  table(
    doc,
    [
      { header: "Change", width: 0.3 },
      { header: "Service / environment", width: 0.18 },
      { header: "Deployed at", width: 0.2 },
      { header: "Provenance", width: 0.32 },
    ],
    failed.map((e) => [`${e.changeId}\n${e.digest}`, `${e.service} / ${e.environment}`, e.deployedAt, e.status]),
    { size: 7, colorOf: (_row, col) => (col === 3 ? ink.bad : undefined) },
  );
}

function registerSection(doc: Doc, toc: Toc, title: string, empty: string, rows: string[][], pick: (r: string[]) => string[], columns: { header: string; width: number }[]): void {
  ensureSpace(doc, 120);
  mark(doc, toc, title);
  heading(doc, `${title} (${rows.length})`);
  if (rows.length === 0) return paragraph(doc, empty);
  table(doc, columns, rows.map(pick), { size: 7 });
}

function sampleSection(doc: Doc, m: ReportModel, toc: Toc): void {
  ensureSpace(doc, 200);
  mark(doc, toc, "Sample");
  heading(doc, `Sample (${m.sample.size} of ${m.populationSize})`);
  facts(doc, [
    ["Seed", m.sample.seed],
    ["Size", `${m.sample.size} (asked: ${m.sample.requested}; ${m.sample.basis}; capped at the population)`],
    ["Method", m.sample.method],
    ["Redraw", `the same parameters and seed draw the same changes: --sample ${m.sample.requested} --seed ${m.sample.seed}`],
  ]);
  doc.moveDown(0.5);
  table(
    doc,
    [
      { header: "Change", width: 0.33 },
      { header: "Deployed at", width: 0.2 },
      { header: "Type", width: 0.11 },
      { header: "Exceptions", width: 0.36 },
    ],
    m.sample.changes.map((c) => [
      `${changeName(c.change.service, c.change.pullRequest)}\nchange ${c.change.changeId}`,
      c.change.deployedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC"),
      c.change.changeType,
      c.change.exceptions || "none",
    ]),
    { colorOf: (row, col) => (col === 3 && row[3] !== "none" ? ink.bad : undefined) },
  );
}

function evidencePage(doc: Doc, toc: Toc, e: ChangeEvidence, index: number, total: number): void {
  doc.addPage();
  const c = e.change;
  if (index === 0) mark(doc, toc, "Appendix: evidence per sampled change");
  mark(doc, toc, changeName(c.service, c.pullRequest), 2);
  setFont(doc, "regular", 8, ink.muted);
  write(doc, `Sampled change ${index + 1} of ${total}`, undefined, undefined);
  setFont(doc, "bold", 14);
  write(doc, changeName(c.service, c.pullRequest), undefined, undefined, {}, "bold");
  doc.moveDown(0.4);
  facts(doc, [
    ["Change id", c.changeId],
    ["Service / environment", `${c.service} / ${c.environment}`],
    ["Change type", c.changeType + (c.emergencyApproval ? ` (${c.emergencyApproval})` : "")],
    ["Description", c.description],
    ["Deployed", `${c.deployedAt} by ${c.deployer || "unknown"} (${c.deployerType})`],
    ["Deployment record from", e.deploymentSource],
    ["Image", `${c.imageRef}${c.imageDigest ? ` = ${c.imageDigest}` : ""}`],
    ["Staging deployment", c.stagingDeployment ? `${c.stagingDeployment} at ${c.stagingDeployedAt}` : "none recorded"],
    ["Missing links", e.missing.length > 0 ? e.missing.join(", ") : "none: the chain is complete"],
  ]);
  const section = (title: string, body: [string, string][] | null, none: string) => {
    heading(doc, title, 11);
    if (body) facts(doc, body);
    else paragraph(doc, none, { color: ink.bad });
  };
  section("Pull request", e.pullRequest, "No pull request links to the deployed commit.");
  heading(doc, "Reviews", 11);
  paragraph(doc, e.reviews.length > 0 ? e.reviews.join("\n") : "No reviews recorded.", { color: e.reviews.length > 0 ? ink.text : ink.bad });
  section("Commit", e.commit, "No commit record.");
  section("Pipeline run", e.pipelineRun, "No pipeline run record.");
  section("Image build", e.build, "No build record for this digest.");
  if (c.ciChecks) {
    heading(doc, "CI checks on the commit", 11);
    paragraph(doc, c.ciChecks);
  }
  if (e.attestations.length > 0) {
    heading(doc, "Attestations on the digest", 11);
    paragraph(doc, e.attestations.join("\n"));
  }
  heading(doc, "Gate results", 11);
  if (e.gateResults.length === 0) paragraph(doc, "No gate results stored for this change.", { color: ink.muted });
  else
    table(
      doc,
      [
        { header: "Rule", width: 0.36 },
        { header: "Result", width: 0.14 },
        { header: "Evidence", width: 0.5 },
      ],
      e.gateResults.map((g) => [`${g.ruleId}\n${g.title}`, g.result, g.evidence]),
      { size: 7, colorOf: (row, col) => (col === 1 ? (row[1] === "pass" ? ink.good : ink.bad) : undefined) },
    );
  if (e.decisions.length > 0) {
    heading(doc, "Gate decisions asked before the change", 11);
    paragraph(doc, e.decisions.join("\n"));
  }
  if (e.findings.length > 0) {
    heading(doc, "Findings", 11);
    paragraph(doc, e.findings.join("\n"), { color: ink.bad });
  }
}

function signOff(doc: Doc, m: ReportModel, toc: Toc): void {
  ensureSpace(doc, 330);
  mark(doc, toc, "Sign-off");
  heading(doc, "Sign-off");
  paragraph(
    doc,
    `Prepared with Custody by ${m.preparedBy} on ${m.generatedAt.slice(0, 10)} for ${m.organisation ?? "the organisation"}, covering ${m.periodInWords}. By signing, the reviewer confirms the population was reconciled to the deployment records and the exceptions above were examined.`,
    { color: ink.muted },
  );
  const x0 = doc.page.margins.left;
  const w = contentWidth(doc);
  const roles = ["Prepared by", "Reviewed by", "Approved by"];
  for (const role of roles) {
    ensureSpace(doc, 95);
    doc.moveDown(0.8);
    setFont(doc, "bold", 10);
    write(doc, role, x0, doc.y, {}, "bold");
    doc.moveDown(0.4);
    const fields = role === "Prepared by" ? [["Name", m.preparedBy], ["Role", ""], ["Date", ""], ["Signature", ""]] : [["Name", ""], ["Role", ""], ["Date", ""], ["Signature", ""]];
    const colW = w / 2;
    const top = doc.y;
    fields.forEach(([label, value], i) => {
      const cx = x0 + (i % 2) * colW;
      const cy = top + Math.floor(i / 2) * 26;
      setFont(doc, "regular", 8, ink.muted);
      write(doc, label ?? "", cx, cy, { width: 60, lineBreak: false });
      setFont(doc, "regular", 9, ink.text);
      if (value) write(doc, value, cx + 60, cy - 1, { width: colW - 76, lineBreak: false, ellipsis: true });
      doc.moveTo(cx + 60, cy + 12).lineTo(cx + colW - 16, cy + 12).lineWidth(0.5).strokeColor(ink.muted).stroke();
    });
    doc.x = x0;
    doc.y = top + 52;
  }
}

function footers(doc: Doc, m: ReportModel): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would make pdfkit open a new page: lift the margin while writing.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - margin + 14;
    setFont(doc, "regular", 7, ink.muted);
    write(doc, `Custody evidence report · ${m.organisation ? `${m.organisation} · ` : ""}${m.frameworkName} · ${m.periodInWords}`, doc.page.margins.left, y, { width: contentWidth(doc) * 0.8, lineBreak: false, ellipsis: true });
    write(doc, `Page ${i + 1} of ${range.count}`, doc.page.margins.left, y, { width: contentWidth(doc), align: "right", lineBreak: false });
    doc.page.margins.bottom = margin;
  }
}

/** Renders the report as a PDF: cover, contents, per-control summary, exceptions by rule, provenance, incidents, waivers, sample, sign-off, one page per sampled change. */
export async function renderReportPdf(m: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 48, bottom: 48, left: 48, right: 48 },
    bufferPages: true,
    displayTitle: true,
    lang: "en-GB",
    info: { Title: `Custody evidence report ${m.framework} ${m.periodInWords}`, Author: m.preparedBy, Creator: m.generatorVersion, Subject: m.frameworkName },
  });
  registerFonts(doc);
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });
  const toc: Toc = { entries: [] };
  cover(doc, m);
  // Contents pages are reserved now and written last, once every section's page is known.
  const tocFirst = doc.bufferedPageRange().count;
  const tocPages = (tocPageOf(doc, plannedTocLevels(m)).at(-1) ?? 0) + 1;
  for (let i = 0; i < tocPages + 1; i++) doc.addPage();
  controlsSection(doc, m, toc);
  exceptionsSection(doc, m, toc);
  provenanceSection(doc, m, toc);
  registerSection(doc, toc, "Incidents", "No incidents were open during the period.", m.incidents.rows, (r) => [r[0] ?? "", `${r[1] ?? ""} (${r[2] ?? ""})`, `${r[6] ?? ""} to ${r[7] || "open"}`, r[9] ?? "", r[12] ?? ""], [
    { header: "Id", width: 0.06 },
    { header: "Title (status)", width: 0.26 },
    { header: "Open", width: 0.2 },
    { header: "Root cause", width: 0.24 },
    { header: "Steps", width: 0.24 },
  ]);
  registerSection(doc, toc, "Waivers", "No waivers were in force during the period.", m.waivers.rows, (r) => [r[0] ?? "", `${r[1] ?? ""}\n${r[4] ?? ""}`, r[5] ?? "", r[6] ?? "", `${r[8] ?? ""} to ${r[9] ?? ""}${r[10] ? ` (revoked ${r[10]})` : ""}`], [
    { header: "Id", width: 0.06 },
    { header: "Rule / subject", width: 0.3 },
    { header: "Justification", width: 0.3 },
    { header: "Approver", width: 0.12 },
    { header: "In force", width: 0.22 },
  ]);
  sampleSection(doc, m, toc);
  signOff(doc, m, toc);
  m.sample.changes.forEach((e, i) => evidencePage(doc, toc, e, i, m.sample.changes.length));
  contents(doc, toc, tocFirst);
  footers(doc, m);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
