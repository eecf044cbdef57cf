import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { config } from "./config";

export interface TrialSecrets {
  githubWebhookSecret: string;
  sessionSecret: string;
  /** Ed25519 private key (PKCS#8 PEM) that signs evidence packages. */
  signingKey: string;
}

/** The trial's secrets file cannot be used as it is (readable by others); the message says what to do. */
export class TrialSecretsError extends Error {
  override name = "TrialSecretsError";
}

/**
 * Secrets for the embedded trial only: generated on first start and kept beside the data folder,
 * readable by its owner only. A deployment on a real Postgres must configure its own; it never
 * falls back here. The file is written whole to a temporary file and then linked into place, so a
 * crash never leaves half a file and, of processes starting together, exactly one writes it.
 */
export function trialSecrets(dataDir = config().dataDir): TrialSecrets {
  const file = path.join(path.dirname(path.resolve(dataDir)), "trial-secrets.json");
  const existing = readPrivate(file);
  if (existing) return existing;
  mkdirSync(path.dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync("ed25519");
  const secrets: TrialSecrets = {
    githubWebhookSecret: randomBytes(24).toString("base64url"),
    sessionSecret: randomBytes(32).toString("base64url"),
    signingKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, JSON.stringify(secrets, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link, unlike rename, never replaces a file another process put there first.
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
  const written = readPrivate(file);
  if (!written) throw new TrialSecretsError(`${file} vanished while it was being created`);
  return written;
}

function readPrivate(file: string): TrialSecrets | null {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    throw new TrialSecretsError(`${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${file}, then start again`);
  }
  return JSON.parse(readFileSync(file, "utf8")) as TrialSecrets;
}

let processSecret: string | undefined;

/**
 * The secret that signs short-lived state (the OpenID Connect flow cookie): CUSTODY_SESSION_SECRET
 * (required in server mode), the trial's when embedded, else one made for this process.
 */
export function sessionSecret(): string {
  const c = config();
  if (c.sessionSecret) return c.sessionSecret;
  if (!c.databaseUrl) return trialSecrets().sessionSecret;
  processSecret ??= randomBytes(32).toString("base64url");
  return processSecret;
}

/** The webhook secret in force: configured, or the trial's when running embedded. */
export function githubWebhookSecret(): string | undefined {
  const c = config();
  if (c.githubWebhookSecret) return c.githubWebhookSecret;
  return c.databaseUrl ? undefined : trialSecrets().githubWebhookSecret;
}
