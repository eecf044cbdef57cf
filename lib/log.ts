/**
 * Structured logs: one JSON object per line on stdout (errors on stderr), with level, time, msg and
 * any fields. Values under keys that name credentials are replaced before anything is written, so
 * a header map or a config object can be logged without leaking what it carries.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const sensitiveKey = /authorization|cookie|token|password|passwd|secret|signing.?key|private.?key|api.?key|database.?url/i;
const urlPassword = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s]+:)[^@/?#\s]+@/gi;
export const REDACTED = "[redacted]";

export interface LogSink {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdSink: LogSink = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function threshold(): number {
  const configured = process.env.CUSTODY_LOG_LEVEL?.toLowerCase();
  if (configured && configured in order) return order[configured as LogLevel];
  // Test runs would otherwise print an access line per simulated request.
  return process.env.VITEST ? order.warn : order.info;
}

/** Replaces credential-named values at any depth and passwords inside URLs; keeps everything else. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(urlPassword, `$1${REDACTED}@`);
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (value instanceof Headers) return redact(Object.fromEntries(value.entries()), depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, sensitiveKey.test(k) ? REDACTED : redact(v, depth + 1)]),
  );
}

export interface Logger {
  debug: (msg: string, fields?: LogFields) => void;
  info: (msg: string, fields?: LogFields) => void;
  warn: (msg: string, fields?: LogFields) => void;
  error: (msg: string, fields?: LogFields) => void;
  child: (fields: LogFields) => Logger;
}

export function createLogger(base: LogFields = {}, sink: LogSink = stdSink): Logger {
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (order[level] < threshold()) return;
    const entry: LogFields = { level, time: new Date().toISOString(), msg };
    for (const [k, v] of Object.entries(redact({ ...base, ...fields }) as LogFields)) if (!(k in entry)) entry[k] = v;
    const line = JSON.stringify(entry);
    if (level === "error" || level === "warn") sink.err(line);
    else sink.out(line);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** The process's logger. */
export const log: Logger = createLogger();
