import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "@/db/testing";
import { evaluationSettled } from "../evaluation/queue";
import { change } from "../evidence/test-change";
import { ingestEvents } from "../ingest/events-api";
import { parseReportParams } from "./params";
import { renderReportPdf } from "./pdf";
import { buildReport, type ReportModel } from "./report";

// Names outside Windows-1252, as real teams have them: the standard PDF fonts turned each into "?".
const polish = "Łukasz Żółkiewski";
const greek = "Γιώργος Παπαδόπουλος";
const japanese = "山田太郎";
const service = "płatności-決済";
const title = "Zażółć gęślą jaźń: Ελληνικά και 日本語のタイトル 🚀";

let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let model: ReportModel;
let text: string;
let pdf: Buffer;

function localise(events: ReturnType<typeof change>["events"]) {
  return events.map((e) => {
    const out: Record<string, unknown> = { ...e };
    if (e.type === "commit") out.author = { login: polish, name: polish };
    if (e.type === "pull_request") Object.assign(out, { title, author: greek, mergedBy: greek });
    if (e.type === "review") out.reviewer = japanese;
    if ("service" in e && e.service === "checkout") out.service = service;
    if (e.type === "deployment") out.description = `${title} 👩‍💻`;
    return out as typeof e;
  });
}

beforeAll(async () => {
  handle = await createTestDatabase();
  const body = { events: localise(change({ key: "unicode" }).events) };
  await ingestEvents(handle.db, body, JSON.stringify(body));
  await evaluationSettled(handle.db);
  const p = parseReportParams("iso27001", { from: "2026-03-14", to: "2026-03-14", format: "pdf", sample: "5", seed: "unicode" });
  model = await buildReport(handle.db, p, new Date("2026-03-20T09:00:00Z"), "Zoë Ångström");
  pdf = await renderReportPdf(model);
  const dir = mkdtempSync(path.join(os.tmpdir(), "custody-unicode-pdf-"));
  const file = path.join(dir, "r.pdf");
  writeFileSync(file, pdf);
  text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}, 120_000);
afterAll(async () => handle?.close());

describe("the PDF report in the embedded Unicode fonts", () => {
  it("keeps Polish, Greek and Japanese names of authors, reviewers and services intact", () => {
    expect(model.sample.size).toBe(1);
    for (const name of [polish, greek, japanese, service, "Zoë Ångström", "Zażółć gęślą jaźń", "Ελληνικά και 日本語のタイトル"]) expect(text).toContain(name);
    expect(text).not.toMatch(/\?{2,}/);
  });

  it("writes a character no embedded font has (an emoji) as its code point, never as a box or a question mark", () => {
    expect(text).toContain("[U+1F680]");
    // The woman-technologist sequence: its parts by code point, the zero-width joiner dropped.
    expect(text).toContain("[U+1F469][U+1F4BB]");
  });

  it("embeds its fonts (subsets of Noto Sans and Noto Sans JP) rather than naming unembedded standard fonts", () => {
    const fonts = execFileSync("pdffonts", ["-"], { input: pdf, encoding: "utf8" });
    expect(fonts).toMatch(/NotoSans-Regular/);
    expect(fonts).toMatch(/NotoSansJP/);
    expect(fonts).not.toMatch(/Helvetica/);
    for (const line of fonts.split("\n").slice(2).filter((l) => l.trim() !== "")) expect(line).toMatch(/\byes\s+yes\s+yes\b/);
  });
});
