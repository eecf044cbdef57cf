import type PDFDocument from "pdfkit";

type Doc = InstanceType<typeof PDFDocument>;

export const ink = { text: "#1a1a1a", muted: "#5a5f66", rule: "#c9ced6", head: "#eef1f5", bad: "#a3261b", good: "#1f6b3a" } as const;

/** The standard PDF fonts only encode Windows-1252: replace what they cannot draw instead of printing garbage. */
export function clean(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, "...")
    .replace(/[\u2192\u21d2]/g, "->")
    .replace(/[^\u0009\u000a\u000d\u0020-\u007e\u00a0-\u00ff\u2013\u2014]/g, "?");
}

export function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

export function heading(doc: Doc, text: string, size = 15): void {
  ensureSpace(doc, size * 3 + 40);
  doc.moveDown(0.6).font("Helvetica-Bold").fontSize(size).fillColor(ink.text).text(clean(text), doc.page.margins.left, doc.y);
  doc.moveDown(0.3).font("Helvetica").fontSize(9);
}

export function paragraph(doc: Doc, text: string, opts: { color?: string; size?: number } = {}): void {
  doc.font("Helvetica").fontSize(opts.size ?? 9).fillColor(opts.color ?? ink.text);
  doc.text(clean(text), doc.page.margins.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

/** Label/value pairs in two columns. */
export function facts(doc: Doc, rows: [string, string][], labelWidth = 130): void {
  const x = doc.page.margins.left;
  const w = contentWidth(doc) - labelWidth;
  for (const [label, value] of rows) {
    doc.font("Helvetica").fontSize(9);
    const h = Math.max(doc.heightOfString(clean(value || "-"), { width: w }), 11) + 3;
    ensureSpace(doc, h);
    const y = doc.y;
    doc.font("Helvetica-Bold").fillColor(ink.muted).text(clean(label), x, y, { width: labelWidth - 8 });
    doc.font("Helvetica").fillColor(ink.text).text(clean(value || "-"), x + labelWidth, y, { width: w });
    doc.y = y + h;
  }
  doc.x = x;
}

export interface Column {
  header: string;
  /** Fraction of the content width. */
  width: number;
  align?: "left" | "right";
}

/** A table with a shaded header row that repeats after each page break; cells wrap. */
export function table(doc: Doc, columns: Column[], rows: string[][], opts: { size?: number; colorOf?: (row: string[], col: number) => string | undefined } = {}): void {
  const size = opts.size ?? 8;
  const x0 = doc.page.margins.left;
  const total = contentWidth(doc);
  const widths = columns.map((c) => c.width * total);
  const pad = 3;
  const drawRow = (cells: string[], header: boolean, row?: string[]) => {
    doc.font(header ? "Helvetica-Bold" : "Helvetica").fontSize(size);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(clean(c || "-"), { width: (widths[i] ?? 0) - 2 * pad }))) + 2 * pad;
    if (doc.y + h > bottom(doc)) {
      doc.addPage();
      if (!header) drawRow(columns.map((c) => c.header), true);
      doc.font(header ? "Helvetica-Bold" : "Helvetica").fontSize(size);
    }
    const y = doc.y;
    if (header) doc.rect(x0, y, total, h).fill(ink.head);
    let x = x0;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 0;
      doc.fillColor((row && opts.colorOf?.(row, i)) ?? ink.text).text(clean(c || "-"), x + pad, y + pad, { width: w - 2 * pad, align: columns[i]?.align ?? "left" });
      x += w;
    });
    doc.moveTo(x0, y + h).lineTo(x0 + total, y + h).lineWidth(0.5).strokeColor(ink.rule).stroke();
    doc.x = x0;
    doc.y = y + h;
  };
  ensureSpace(doc, 60);
  drawRow(columns.map((c) => c.header), true);
  for (const r of rows) drawRow(r, false, r);
  doc.fillColor(ink.text).moveDown(0.5);
}
