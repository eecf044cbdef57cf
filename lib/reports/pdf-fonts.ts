import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type PDFDocument from "pdfkit";

type Doc = InstanceType<typeof PDFDocument>;

/**
 * The report's fonts, shipped through npm (OFL-1.1) so every machine renders the same PDF: Noto Sans
 * (Latin with Polish and every European diacritic, Greek, Cyrillic) first, Noto Sans JP for what it
 * lacks (kana, kanji, arrows, check marks). A character neither has (an emoji) is written as its code
 * point, `[U+1F680]`: no evidence becomes "?" or an empty box.
 */
const files = {
  latin: { regular: "@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf", bold: "@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf" },
  cjk: { regular: "@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf", bold: "@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf" },
} as const;

export type Script = keyof typeof files;
export type Weight = "regular" | "bold";

/** Resolved from this module (tsx, vitest, the CLI), else from the working directory (the standalone server, where tracing copies them). */
function locate(file: string): string {
  const tries: (() => string)[] = [() => createRequire(import.meta.url).resolve(file), () => path.join(/*turbopackIgnore: true*/ process.cwd(), "node_modules", file)];
  for (const attempt of tries) {
    try {
      const p = attempt();
      if (existsSync(/*turbopackIgnore: true*/ p)) return p;
    } catch {
      // try the next place
    }
  }
  throw new Error(`the PDF font ${file} is not installed: run npm ci`);
}

let loaded: Record<Script, Record<Weight, Buffer>> | null = null;
function buffers(): Record<Script, Record<Weight, Buffer>> {
  // turbopackIgnore: the files are copied by next.config.ts's outputFileTracingIncludes, not traced from here.
  const read = (file: string) => readFileSync(/*turbopackIgnore: true*/ locate(file));
  loaded ??= {
    latin: { regular: read(files.latin.regular), bold: read(files.latin.bold) },
    cjk: { regular: read(files.cjk.regular), bold: read(files.cjk.bold) },
  };
  return loaded;
}

export const faceName = (script: Script, weight: Weight): string => `custody-${script}-${weight}`;

interface GlyphFont {
  hasGlyphForCodePoint(cp: number): boolean;
}
let coverage: Record<Script, GlyphFont> | null = null;

/** Registers the four faces on a document and learns which code points each script's font has. */
export function registerFonts(doc: Doc): void {
  const b = buffers();
  for (const script of ["latin", "cjk"] as const) for (const weight of ["regular", "bold"] as const) doc.registerFont(faceName(script, weight), b[script][weight]);
  if (!coverage) {
    const probe = (script: Script): GlyphFont => {
      doc.font(faceName(script, "regular"));
      // pdfkit's embedded font wraps the fontkit font it parsed; its cmap answers coverage.
      return (doc as unknown as { _font: { font: GlyphFont } })._font.font;
    };
    coverage = { latin: probe("latin"), cjk: probe("cjk") };
  }
  doc.font(faceName("latin", "regular"));
}

export interface Run {
  script: Script;
  text: string;
}

const invisible = /[\u200b-\u200f\u2060\ufe00-\ufe0f\u{e0020}-\u{e007f}]/u;

/** Splits text into runs each font can draw; a character no font has becomes `[U+XXXX]` in the Latin run. */
export function runs(text: string): Run[] {
  const out: Run[] = [];
  const push = (script: Script, s: string) => {
    const last = out[out.length - 1];
    if (last && last.script === script) last.text += s;
    else out.push({ script, text: s });
  };
  for (const ch of text.normalize("NFC")) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "\n" || ch === "\t" || ch === " ") {
      push(out[out.length - 1]?.script ?? "latin", ch === "\t" ? " " : ch);
    } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || invisible.test(ch)) {
      // control characters, zero-width joiners and variation selectors draw nothing
    } else if (!coverage || coverage.latin.hasGlyphForCodePoint(cp)) {
      push("latin", ch);
    } else if (coverage.cjk.hasGlyphForCodePoint(cp)) {
      push("cjk", ch);
    } else {
      push("latin", `[U+${cp.toString(16).toUpperCase().padStart(4, "0")}]`);
    }
  }
  return out.length > 0 ? out : [{ script: "latin", text: "" }];
}
