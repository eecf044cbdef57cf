import { DatabaseOpenError } from "@/db/client";
import { ConfigError } from "../config";
import { AppError } from "../errors";

/** A CLI failure: printed as one line, with a non-zero exit code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** One line on stderr, never a stack trace; unknown errors say only their class and message. */
export function reportError(error: unknown): number {
  if (error instanceof CliError) {
    process.stderr.write(`custody: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ConfigError || error instanceof DatabaseOpenError || error instanceof AppError) {
    process.stderr.write(`custody: ${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  process.stderr.write(`custody: unexpected error: ${message}\n`);
  return 1;
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError("expected input on stdin (pipe a file or command into it)", 2);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
