import PDFDocument from "pdfkit";
import { registerFonts } from "../reports/pdf-fonts";
import { facts, heading, ink, paragraph, setFont, table, write } from "../reports/pdf-layout";
import { approverNames } from "../reports/population";
import type { EngagementSummary } from "./summary";

type Doc = InstanceType<typeof PDFDocument>;
const day = (d: Date) => d.toISOString().slice(0, 10);
const lastDay = (d: Date) => new Date(d.getTime() - 1).toISOString().slice(0, 10);

/** The closing summary: the engagement, its frozen population, the sample and each test, the request list. */
export async function renderEngagementPdf(s: EngagementSummary): Promise<Buffer> {
  const e = s.engagement;
  const doc: Doc = new PDFDocument({ size: "A4", bufferPages: true, margins: { top: 50, bottom: 50, left: 50, right: 50 }, info: { Title: `Engagement ${e.id}: ${e.name}`, Author: "Custody", CreationDate: new Date(s.generatedAt) } });
  registerFonts(doc);
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });
  const tested = s.sampled.filter((c) => c.test);
  const exceptions = tested.filter((c) => c.test?.result === "exception");
  setFont(doc, "regular", 10, ink.muted);
  write(doc, "CUSTODY  ·  AUDIT ENGAGEMENT SUMMARY", undefined, undefined, { characterSpacing: 1 });
  doc.moveDown(1.5);
  setFont(doc, "bold", 22, ink.text);
  write(doc, e.name, undefined, undefined, {}, "bold");
  doc.moveDown(0.3);
  setFont(doc, "regular", 13, ink.muted);
  write(doc, s.frameworkName, undefined, undefined);
  doc.moveDown(0.2).fontSize(11).text(`Period ${day(e.periodFrom)} to ${lastDay(e.periodTo)} (UTC, inclusive)`);
  doc.moveDown(1.2);
  facts(doc, [
    ["Engagement", `#${e.id}, ${e.state}${e.closedAt ? ` (signed off ${e.closedAt.toISOString()} by ${e.closedBy ?? ""})` : ""}`],
    ["Scope", `environments ${e.scopeEnvironments.join(", ") || "(none)"}; services ${e.services.join(", ") || "all"}`],
    ["Population frozen", `ledger tree size ${e.treeSize}, root ${e.rootHash}, at ${e.frozenAt.toISOString()}`],
    ["Population", `${s.populationSize} production changes (successful deployments in the period and scope)`],
    ["Sample", s.sample ? `${s.sample.size} changes, draw ${s.sample.drawNo}, seed ${s.sample.seed}, drawn by ${s.sample.drawnBy}` : "not drawn"],
    ["Method", s.sample?.method ?? "-"],
    ["Tested", `${tested.length} of ${s.sampled.length}: ${tested.length - exceptions.length} pass, ${exceptions.length} exception${exceptions.length === 1 ? "" : "s"}`],
    ["Requests", `${s.requests.length} (${s.requests.filter((r) => r.status === "accepted").length} accepted)`],
    ["Auditors", s.auditors.map((a) => `${a.email} (${a.state})`).join(", ") || "-"],
    ["Arrived since", `${s.arrivals.ledgerEntries} ledger entries after the frozen tree size; ${s.arrivals.lateChangeCount} in-scope change${s.arrivals.lateChangeCount === 1 ? "" : "s"} of the period not in the population`],
    ["Generated at", s.generatedAt],
  ]);
  if (e.conclusion) {
    heading(doc, "Auditor's conclusion", 12);
    paragraph(doc, e.conclusion);
  }
  paragraph(doc, "Everything here is computed as of the frozen tree size: evidence that reached Custody later is counted under 'Arrived since' and never changes the population, the sample or the tests. The signed evidence package carries the same data with inclusion proofs of the sampled changes' ledger entries against a checkpoint of that size.", { color: ink.muted, size: 8 });
  if (s.draws.length > 1) {
    heading(doc, "Sample draws", 12);
    table(doc, [{ header: "Draw", width: 0.08 }, { header: "Seed", width: 0.16 }, { header: "Size", width: 0.08, align: "right" }, { header: "By, at", width: 0.34 }, { header: "Reason for the redraw", width: 0.34 }], s.draws.map((d) => [String(d.drawNo), d.seed, String(d.size), `${d.drawnBy}, ${d.drawnAt.toISOString()}`, d.reason ?? ""]));
  }
  heading(doc, "Sample and tests", 12);
  table(
    doc,
    [{ header: "Change", width: 0.2 }, { header: "Service / environment", width: 0.17 }, { header: "Deployed", width: 0.15 }, { header: "Approvers", width: 0.2 }, { header: "Test", width: 0.09 }, { header: "Note", width: 0.19 }],
    s.sampled.map((c) => [c.row.changeId, `${c.row.service} / ${c.row.environment}`, c.row.deployedAt.slice(0, 16).replace("T", " "), approverNames(c.row.approvers) || "none", c.test?.result ?? "not tested", c.test?.note ?? ""]),
    { colorOf: (r, col) => (col === 4 ? (r[4] === "pass" ? ink.good : r[4] === "exception" ? ink.bad : ink.muted) : undefined) },
  );
  heading(doc, "Request list", 12);
  if (s.requests.length === 0) paragraph(doc, "No requests were raised.", { color: ink.muted });
  else {
    table(
      doc,
      [{ header: "#", width: 0.05 }, { header: "On", width: 0.17 }, { header: "Request", width: 0.3 }, { header: "Status", width: 0.1 }, { header: "Answers and files", width: 0.38 }],
      s.requests.map((r) => [
        String(r.id),
        r.changeId ?? "engagement",
        `${r.title}${r.body ? `\n${r.body}` : ""}`,
        r.status,
        r.messages.map((m) => `${m.kind} by ${m.author}: ${m.body}${m.attachments.map((a) => `\n  file ${a.fileName} (sha256 ${a.sha256.slice(0, 16)}...)`).join("")}`).join("\n"),
      ]),
    );
  }
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would make pdfkit open a new page: lift the margin while writing.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    setFont(doc, "regular", 7, ink.muted);
    write(doc, `Engagement ${e.id} · tree size ${e.treeSize} · page ${i + 1} of ${range.count}`, 50, doc.page.height - margin + 14, { width: doc.page.width - 100, align: "center", lineBreak: false });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
