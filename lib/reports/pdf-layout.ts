import type PDFDocument from "pdfkit";
import { faceName, runs, type Weight } from "./pdf-fonts";

type Doc = InstanceType<typeof PDFDocument>;
type TextOptions = PDFKit.Mixins.TextOptions;

export const ink = { text: "#1a1a1a", muted: "#5a5f66", rule: "#c9ced6", head: "#eef1f5", bad: "#a3261b", good: "#1f6b3a" } as const;

/** Line height of Noto Sans JP over Noto Sans: a line holding Japanese is this much taller. */
const cjkLineRatio = (1160 + 288) / (1069 + 293);

/**
 * Writes text in the embedded Unicode fonts: each run in the font that has its characters, wrapped
 * as one paragraph (pdfkit's `continued`). Position and options as for doc.text.
 */
export function write(doc: Doc, text: string, x: number | undefined, y: number | undefined, opts: TextOptions = {}, weight: Weight = "regular"): void {
  const parts = runs(text);
  parts.forEach((r, i) => {
    doc.font(faceName(r.script, weight));
    const continued = i < parts.length - 1;
    if (i === 0) doc.text(r.text, x, y, { ...opts, continued });
    else doc.text(r.text, { ...opts, continued });
  });
  doc.font(faceName("latin", weight));
}

/** Height text takes at the current size: a CJK character measured as an em dash (both one em wide, both break anywhere). */
export function measure(doc: Doc, text: string, opts: TextOptions, weight: Weight = "regular"): number {
  const parts = runs(text);
  const cjk = parts.some((r) => r.script === "cjk");
  const flat = parts.map((r) => (r.script === "cjk" ? r.text.replace(/[^\s]/gu, "\u2014") : r.text)).join("");
  doc.font(faceName("latin", weight));
  const h = doc.heightOfString(flat, opts);
  return cjk ? h * cjkLineRatio : h;
}

export function setFont(doc: Doc, weight: Weight, size: number, color: string = ink.text): void {
  doc.font(faceName("latin", weight)).fontSize(size).fillColor(color);
}

export function bottom(doc: Doc): number {
  return doc.page.height - doc.page.margins.bottom;
}

export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

export function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

export function heading(doc: Doc, text: string, size = 15): void {
  ensureSpace(doc, size * 3 + 40);
  doc.moveDown(0.6);
  setFont(doc, "bold", size);
  write(doc, text, doc.page.margins.left, doc.y, { width: contentWidth(doc) }, "bold");
  doc.moveDown(0.3);
  setFont(doc, "regular", 9);
}

export function paragraph(doc: Doc, text: string, opts: { color?: string; size?: number; weight?: Weight } = {}): void {
  setFont(doc, opts.weight ?? "regular", opts.size ?? 9, opts.color ?? ink.text);
  const w = contentWidth(doc);
  ensureSpace(doc, Math.min(measure(doc, text, { width: w }, opts.weight), 200));
  write(doc, text, doc.page.margins.left, doc.y, { width: w }, opts.weight);
  doc.moveDown(0.3);
}

/** Label/value pairs in two columns. */
export function facts(doc: Doc, rows: [string, string][], labelWidth = 130): void {
  const x = doc.page.margins.left;
  const w = contentWidth(doc) - labelWidth;
  for (const [label, value] of rows) {
    setFont(doc, "regular", 9);
    const h = Math.max(measure(doc, value || "-", { width: w }), 11) + 3;
    ensureSpace(doc, h);
    const y = doc.y;
    setFont(doc, "bold", 9, ink.muted);
    write(doc, label, x, y, { width: labelWidth - 8 }, "bold");
    setFont(doc, "regular", 9, ink.text);
    write(doc, value || "-", x + labelWidth, y, { width: w });
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
    const weight: Weight = header ? "bold" : "regular";
    setFont(doc, weight, size);
    const h = Math.max(...cells.map((c, i) => measure(doc, c || "-", { width: (widths[i] ?? 0) - 2 * pad }, weight))) + 2 * pad;
    if (doc.y + h > bottom(doc)) {
      doc.addPage();
      if (!header) drawRow(columns.map((c) => c.header), true);
      setFont(doc, weight, size);
    }
    const y = doc.y;
    if (header) doc.rect(x0, y, total, h).fill(ink.head);
    let x = x0;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 0;
      doc.fillColor((row && opts.colorOf?.(row, i)) ?? ink.text);
      write(doc, c || "-", x + pad, y + pad, { width: w - 2 * pad, align: columns[i]?.align ?? "left" }, weight);
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
