import { spawn } from "node:child_process";
import path from "node:path";
import { Readable } from "node:stream";
import { vi } from "vitest";
import { main } from "../cli/main";
import { forgetConfig } from "../config";

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Variables set for the command; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** What the command reads on stdin (nothing by default). */
  input?: string;
}

const root = path.join(import.meta.dirname, "..", "..");
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `custody ARGS` in this process through the CLI's own entry (`main`, which bin/custody.mjs calls once
 * tsx is loaded): the command's module is loaded once per test file instead of once per command, which
 * saves the ~3 s a spawned CLI pays for tsx, module loading and its first database open. The command
 * sees `env` over this process's environment and reads its configuration afresh; its stdout and stderr
 * are captured, and its exit code is what `main` returns. Commands run one at a time (the environment and
 * the standard streams are the process's). Use `spawnCli` where the process boundary is what is tested.
 */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const run = queue.then(() => runNow(args, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function runNow(args: string[], { env = {}, input = "" }: CliOptions): Promise<CliRun> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  let stdout = "";
  let stderr = "";
  const capture = (append: (s: string) => void) => (chunk: string | Uint8Array, ...rest: unknown[]) => {
    append(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
  const stdin = Object.assign(Readable.from(input ? [Buffer.from(input)] : []), { isTTY: undefined });
  setEnv(env);
  forgetConfig();
  const out = vi.spyOn(process.stdout, "write").mockImplementation(capture((s) => (stdout += s)));
  const err = vi.spyOn(process.stderr, "write").mockImplementation(capture((s) => (stderr += s)));
  const inp = vi.spyOn(process, "stdin", "get").mockReturnValue(stdin as unknown as typeof process.stdin);
  try {
    const status = await main(args);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    inp.mockRestore();
    setEnv(saved);
    forgetConfig();
  }
}

/**
 * Runs the real CLI the way a user does: `node bin/custody.mjs ARGS` in a process of its own (about 3 s),
 * with `env` over this process's environment. For what only a process shows: its exit status, a
 * one-line error without a stack trace, what `--help` prints.
 */
export function spawnCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "custody.mjs"), ...args], { cwd: root, env: env as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}
