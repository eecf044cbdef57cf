import { missing, fail, pass, type Check } from "../outcome";
import { manualInstructionRegexes } from "../settings";

const id = "merge.no-manual-instructions";

export const mergeNoManualInstructions: Check = (e, p) => {
  const pr = e.pullRequest;
  if (pr === null) {
    return missing(id, "No pull request is linked to the deployed commit.", { commitSha: e.commit?.sha ?? e.deployment.commitSha });
  }
  const label = `${pr.repository}#${pr.number}`;
  const text = `${pr.title}\n${pr.body}`;
  const matches: { pattern: string; excerpt: string }[] = [];
  for (const regex of manualInstructionRegexes(p)) {
    const m = firstMatch(regex, text);
    if (m) matches.push({ pattern: regex.source, excerpt: excerpt(text, m.index, m.length) });
  }
  const evidence = { pullRequest: { id: pr.id, repository: pr.repository, number: pr.number }, matches };
  if (matches.length > 0) {
    const quoted = matches.map((m) => `"${m.excerpt}"`).join(", ");
    return fail(id, `${label} asks for a hand-run change: ${quoted}.`, evidence);
  }
  return pass(id, `The title and body of ${label} ask for no hand-run change.`, evidence);
};

const WINDOW = 2000;
const OVERLAP = 500;

/**
 * The first match, looked for line by line and, in a longer line, in windows of WINDOW characters
 * overlapping by OVERLAP: a pattern's cost is then bounded by the window, not by the body (a PR
 * body may hold 65,536 characters on one line, and every edit is judged again).
 */
function firstMatch(regex: RegExp, text: string): { index: number; length: number } | null {
  let lineStart = 0;
  for (const line of text.split("\n")) {
    for (let from = 0; from < line.length; from += WINDOW - OVERLAP) {
      // A window starts at a word's start, so `\b` cannot match inside a word cut in two.
      const skip = from === 0 ? 0 : line.slice(from, from + OVERLAP).search(/\s/);
      const start = from + Math.max(0, skip);
      const m = regex.exec(line.slice(start, from + WINDOW));
      if (m) return { index: lineStart + start + m.index, length: m[0].length };
      if (from + WINDOW >= line.length) break;
    }
    lineStart += line.length + 1;
  }
  return null;
}

/** The matched text with a little context, on one line. */
function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 20);
  const end = Math.min(text.length, index + length + 20);
  return text.slice(start, end).replace(/\s+/g, " ").trim();
}
