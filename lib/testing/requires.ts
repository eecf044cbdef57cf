import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";

/**
 * What a test file needs beyond the embedded database, decided per file and said out loud.
 *
 * A test that needs a Postgres server (several processes on one database, the runtime role, the
 * migration Job) names the server it may use: `DATABASE_URL` (the Postgres run) or
 * `CUSTODY_TEST_POSTGRES_URL` (a server lent to the embedded run). Without either it is skipped,
 * never guessed at 127.0.0.1, and the reason is printed when the file loads and written to
 * `test-results/skipped.jsonl`, which `npm test` lists in its summary.
 */
export function postgresServerUrl(): string | undefined {
  return process.env.DATABASE_URL || process.env.CUSTODY_TEST_POSTGRES_URL || undefined;
}

const noted = new Set<string>();

/** Records why `what` in `file` is skipped (once per file and reason). */
export function noteSkip(file: string, what: string, reason: string): void {
  const rel = path.relative(process.cwd(), file);
  const key = `${rel}\u0000${what}\u0000${reason}`;
  if (noted.has(key)) return;
  noted.add(key);
  process.stdout.write(`skipped: ${rel}: ${what} (${reason})\n`);
  try {
    const dir = path.join(process.cwd(), "test-results");
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, "skipped.jsonl"), `${JSON.stringify({ file: rel, what, reason })}\n`);
  } catch {
    // A read-only checkout still runs the tests; the line above said it.
  }
}

/**
 * The Postgres server a test file needs, or undefined (and the skip noted) when there is none.
 * Use with `describe.skipIf(!url)`.
 */
export function requirePostgres(file: string, what: string): string | undefined {
  const url = postgresServerUrl();
  if (!url) noteSkip(file, what, "needs a Postgres server: set DATABASE_URL or CUSTODY_TEST_POSTGRES_URL");
  return url;
}

/** Whether a command-line tool is present; notes the skip when it is not. */
export function requireTool(file: string, what: string, tool: string, present: boolean): boolean {
  if (!present) noteSkip(file, what, `needs ${tool} on the PATH`);
  return present;
}

/**
 * Whether this is the Postgres run (DATABASE_URL set: every test database lives on that server);
 * notes the skip on the embedded run. For tests that need the server's own databases.
 */
export function onPostgresRun(file: string, what: string): boolean {
  if (process.env.DATABASE_URL) return true;
  noteSkip(file, what, "runs on the Postgres run only (DATABASE_URL)");
  return false;
}
