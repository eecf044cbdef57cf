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
    const m = regex.exec(text);
    if (m) matches.push({ pattern: regex.source, excerpt: excerpt(text, m.index, m[0].length) });
  }
  const evidence = { pullRequest: { id: pr.id, repository: pr.repository, number: pr.number }, matches };
  if (matches.length > 0) {
    const quoted = matches.map((m) => `"${m.excerpt}"`).join(", ");
    return fail(id, `${label} asks for a hand-run change: ${quoted}.`, evidence);
  }
  return pass(id, `The title and body of ${label} ask for no hand-run change.`, evidence);
};

/** The matched text with a little context, on one line. */
function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 20);
  const end = Math.min(text.length, index + length + 20);
  return text.slice(start, end).replace(/\s+/g, " ").trim();
}
