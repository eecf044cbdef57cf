// For the profiling aids (drift-profile.ts, ingest-profile.ts): every SQL statement a pg client sends
// while recording, with its time and when it started.
import pg from "pg";

export interface TimedStatement {
  /** The statement's text, white space collapsed, cut to the timer's width. */
  text: string;
  ms: number;
  /** Start, in ms after the last `start()`. */
  at: number;
}

/** Wraps `pg.Client.prototype.query` (once per process) and records statements between start() and stop(). */
export function statementTimer(width: number): { statements: TimedStatement[]; start: (t0?: number) => void; stop: () => void } {
  const statements: TimedStatement[] = [];
  let recording = false;
  let t0 = 0;
  const original = pg.Client.prototype.query;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (pg.Client.prototype as any).query = function (this: pg.Client, ...args: any[]) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const r = (original as any).apply(this, args);
    if (!recording || !(r instanceof Promise)) return r;
    const text = typeof args[0] === "string" ? args[0] : (args[0]?.text ?? "");
    const t = performance.now();
    return r.then((v: unknown) => {
      statements.push({ text: String(text).replace(/\s+/g, " ").slice(0, width), ms: performance.now() - t, at: t - t0 });
      return v;
    });
  };
  return {
    statements,
    start: (at = performance.now()) => {
      t0 = at;
      statements.length = 0;
      recording = true;
    },
    stop: () => {
      recording = false;
    },
  };
}
