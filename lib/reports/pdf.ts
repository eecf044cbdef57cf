import PDFDocument from "pdfkit";
import { type ChangeEvidence } from "./change-evidence";
import { clean, contentWidth, ensureSpace, facts, heading, ink, paragraph, table } from "./pdf-layout";
import { type ReportModel } from "./report";

type Doc = InstanceType<typeof PDFDocument>;
const day = (iso: string) => iso.slice(0, 10);
const lastDay = (iso: string) => new Date(new Date(iso).getTime() - 1).toISOString().slice(0, 10);

function cover(doc: Doc, m: ReportModel): void {
  doc.font("Helvetica").fontSize(10).fillColor(ink.muted).text("CUSTODY  ·  EVIDENCE REPORT", { characterSpacing: 1 });
  doc.moveDown(2).font("Helvetica-Bold").fontSize(24).fillColor(ink.text).text("Change management evidence");
  doc.moveDown(0.3).font("Helvetica").fontSize(14).fillColor(ink.muted).text(clean(m.frameworkName));
  doc.moveDown(0.2).fontSize(12).text(`Period ${day(m.period.split("/")[0] ?? "")} to ${lastDay(m.period.split("/")[1] ?? "")} (UTC, inclusive)`);
  doc.moveDown(2);
  facts(doc, [
    ["Framework", `${m.framework} (${m.frameworkName})`],
    ["Period", `${m.period} (half-open: from inclusive, to exclusive)`],
    ["Environments", m.environments.join(", ") || "(no production environment recorded)"],
    ["Services", m.services.length > 0 ? m.services.join(", ") : "all"],
    ["Population", `${m.populationSize} production changes (successful deployments in the period)`],
    ["Exceptions", `${m.exceptions.total} entries in the exception register`],
    ["Sample", `${m.sample.size} changes, seed ${m.sample.seed} (${m.sample.basis})`],
    ["Policy in force", `version ${m.policy.inForce.version}`],
    ["Generated at", m.generatedAt],
    ["Generator", m.generatorVersion],
    ["Ledger head", `seq ${m.ledgerHead.seq}, SHA-256 ${m.ledgerHead.hash}`],
  ]);
  doc.moveDown(1.5);
  paragraph(
    doc,
    "The population is built from deployment records ingested into Custody's hash-chained ledger, not from tickets. Control references are identifiers with short titles in Custody's own words; they are not the text of the standards. The ledger head above lets a reader tie this report to the ledger: `custody verify` recomputes the chain, and an evidence package carries the ledger extract and a signed SHA-256 manifest.",
    { color: ink.muted },
  );
}

function controlsSection(doc: Doc, m: ReportModel): void {
  heading(doc, `Summary per control (${m.frameworkName})`);
  paragraph(
    doc,
    "Evaluated: changes with a stored check result for the control's rules. Passing: evaluated changes with no failed or missing-evidence check and no finding for those rules. Exception entries count the register below, drift findings included.",
    { color: ink.muted, size: 8 },
  );
  table(
    doc,
    [
      { header: "Control", width: 0.22 },
      { header: "Rules", width: 0.3 },
      { header: "Population", width: 0.1, align: "right" },
      { header: "Evaluated", width: 0.09, align: "right" },
      { header: "Passing", width: 0.09, align: "right" },
      { header: "Changes with exceptions", width: 0.1, align: "right" },
      { header: "Exception entries", width: 0.1, align: "right" },
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

function exceptionsSection(doc: Doc, m: ReportModel): void {
  heading(doc, `Exceptions (${m.exceptions.total})`);
  if (m.exceptions.total === 0) return paragraph(doc, "No failed checks or findings in scope during the period.");
  if (m.exceptions.total > m.exceptions.shown.length) {
    paragraph(doc, `The first ${m.exceptions.shown.length} are listed; exceptions.csv in the evidence package holds all ${m.exceptions.total}.`, { color: ink.muted });
  }
  table(
    doc,
    [
      { header: "Rule and controls", width: 0.27 },
      { header: "Change / subject", width: 0.2 },
      { header: "Result", width: 0.11 },
      { header: "Evidence", width: 0.27 },
      { header: "Waiver", width: 0.15 },
    ],
    m.exceptions.shown.map((e) => [
      `${e.ruleId}\n${e.ruleTitle}\n${e.controls}`,
      `${e.changeId || e.subject}\n${e.service} ${e.environment}\n${e.at}`,
      e.result,
      e.evidence,
      e.waiver || "none",
    ]),
    { size: 7 },
  );
}

function provenanceSection(doc: Doc, m: ReportModel): void {
  const p = m.provenance;
  heading(doc, "Build provenance");
  const share = p.share === null ? "no production deployments in the period" : `${(p.share * 100).toFixed(1)} % (${p.verified} of ${p.deployments})`;
  facts(doc, [
    ["Controls", p.controls.join("; ")],
    ["Verified provenance", share],
    ["Meaning", "the deployed digest had a Sigstore-signed SLSA provenance that verified offline against the trusted roots, about that digest, from a signer the policy expects"],
  ]);
  if (p.exceptions.total === 0) return paragraph(doc, "Every production deployment in scope had verified provenance.");
  if (p.exceptions.total > p.exceptions.shown.length) paragraph(doc, `The first ${p.exceptions.shown.length} of ${p.exceptions.total} are listed.`, { color: ink.muted });
  table(
    doc,
    [
      { header: "Change", width: 0.3 },
      { header: "Service / environment", width: 0.18 },
      { header: "Deployed at", width: 0.2 },
      { header: "Provenance", width: 0.32 },
    ],
    p.exceptions.shown.map((e) => [`${e.changeId}\n${e.digest}`, `${e.service} / ${e.environment}`, e.deployedAt, e.status]),
    { size: 7, colorOf: (_row, col) => (col === 3 ? ink.bad : undefined) },
  );
}

function registerSection(doc: Doc, title: string, empty: string, rows: string[][], pick: (r: string[]) => string[], columns: { header: string; width: number }[]): void {
  heading(doc, `${title} (${rows.length})`);
  if (rows.length === 0) return paragraph(doc, empty);
  table(doc, columns, rows.map(pick), { size: 7 });
}

function sampleSection(doc: Doc, m: ReportModel): void {
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
      { header: "Change id", width: 0.3 },
      { header: "Service", width: 0.12 },
      { header: "Deployed at", width: 0.23 },
      { header: "Type", width: 0.09 },
      { header: "Exceptions", width: 0.26 },
    ],
    m.sample.changes.map((c) => [c.change.changeId, c.change.service, c.change.deployedAt, c.change.changeType, c.change.exceptions || "none"]),
    { colorOf: (row, col) => (col === 4 && row[4] !== "none" ? ink.bad : undefined) },
  );
}

function evidencePage(doc: Doc, e: ChangeEvidence, index: number, total: number): void {
  doc.addPage();
  const c = e.change;
  doc.font("Helvetica").fontSize(8).fillColor(ink.muted).text(`Sampled change ${index + 1} of ${total}`);
  doc.font("Helvetica-Bold").fontSize(14).fillColor(ink.text).text(clean(`Change ${c.changeId}`));
  doc.moveDown(0.4);
  facts(doc, [
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

function footers(doc: Doc, m: ReportModel): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would make pdfkit open a new page: lift the margin while writing.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - margin + 14;
    doc.font("Helvetica").fontSize(7).fillColor(ink.muted);
    doc.text(clean(`Custody evidence report · ${m.framework} · ${m.period}`), doc.page.margins.left, y, { width: contentWidth(doc) * 0.8, lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, doc.page.margins.left, y, { width: contentWidth(doc), align: "right", lineBreak: false });
    doc.page.margins.bottom = margin;
  }
}

/** Renders the report as a PDF: cover, per-control summary, exceptions, incidents, waivers, sample, one page per sampled change. */
export async function renderReportPdf(m: ReportModel): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 48, bottom: 48, left: 48, right: 48 },
    bufferPages: true,
    info: { Title: `Custody evidence report ${m.framework} ${m.period}`, Author: m.generatorVersion, Subject: m.frameworkName },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });
  cover(doc, m);
  doc.addPage();
  controlsSection(doc, m);
  exceptionsSection(doc, m);
  provenanceSection(doc, m);
  registerSection(doc, "Incidents", "No incidents were open during the period.", m.incidents.rows, (r) => [r[0] ?? "", `${r[1] ?? ""} (${r[2] ?? ""})`, `${r[6] ?? ""} to ${r[7] || "open"}`, r[9] ?? "", r[12] ?? ""], [
    { header: "Id", width: 0.06 },
    { header: "Title (status)", width: 0.26 },
    { header: "Open", width: 0.2 },
    { header: "Root cause", width: 0.24 },
    { header: "Steps", width: 0.24 },
  ]);
  registerSection(doc, "Waivers", "No waivers were in force during the period.", m.waivers.rows, (r) => [r[0] ?? "", `${r[1] ?? ""}\n${r[4] ?? ""}`, r[5] ?? "", r[6] ?? "", `${r[8] ?? ""} to ${r[9] ?? ""}${r[10] ? ` (revoked ${r[10]})` : ""}`], [
    { header: "Id", width: 0.06 },
    { header: "Rule / subject", width: 0.3 },
    { header: "Justification", width: 0.3 },
    { header: "Approver", width: 0.12 },
    { header: "In force", width: 0.22 },
  ]);
  ensureSpace(doc, 200);
  sampleSection(doc, m);
  m.sample.changes.forEach((e, i) => evidencePage(doc, e, i, m.sample.changes.length));
  footers(doc, m);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
