import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { parseCheckpointNote, verifyCheckpointNote, type Checkpoint } from "../ledger/signed-note";
import { fetchTrustedKeys, parseTrustedKeys } from "../signing/trusted-keys";
import { CliError } from "./output";

type Values = Record<string, string | boolean | undefined>;
const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? (values[key] as string) : undefined);

export const UNVERIFIED_SIGNER = "integrity only: signer not verified";

/** The keys given with --key FILE or --keys-url URL; null when neither (the signer stays unproven). */
export async function trustedKeys(values: Values): Promise<KeyObject[] | null> {
  const file = str(values, "key");
  const url = str(values, "keys-url");
  if (file && url) throw new CliError("give --key or --keys-url, not both", 2);
  try {
    if (file) return parseTrustedKeys(readText(file), file);
    if (url) return await fetchTrustedKeys(url);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message);
  }
  return null;
}

export function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * A checkpoint file, its signature checked with the trusted keys when there are any. Throws a
 * one-line CliError naming the file and what is wrong.
 */
export function readCheckpoint(file: string, keys: KeyObject[] | null): Checkpoint {
  const note = readText(file);
  if (!keys) {
    const parsed = parseCheckpointNote(note);
    if (!parsed.ok) throw new CliError(`${file} is not a checkpoint: ${parsed.reason}`);
    return parsed.checkpoint;
  }
  let reason = "";
  for (const key of keys) {
    const v = verifyCheckpointNote(note, key);
    if (v.ok) return v.checkpoint;
    reason = v.reason;
  }
  throw new CliError(`${file}: ${reason}`);
}

/** Exit code for a result whose maths held: 0 with a proven signer or when the caller accepts that. */
export function signerVerdict(keys: KeyObject[] | null, values: Values): number {
  if (keys) return 0;
  process.stdout.write(`${UNVERIFIED_SIGNER} (pass --key PUBKEY.pem or --keys-url URL to prove who signed)\n`);
  return values["allow-unverified-signer"] === true ? 0 : 1;
}
