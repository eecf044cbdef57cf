import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config } from "./config";

export interface TrialSecrets {
  githubWebhookSecret: string;
  sessionSecret: string;
  /** Ed25519 private key (PKCS#8 PEM) that signs evidence packages. */
  signingKey: string;
}

/**
 * Secrets for the embedded trial only: generated on first start and kept beside the data folder
 * (mode 0600). A deployment on a real Postgres must configure its own; it never falls back here.
 */
export function trialSecrets(dataDir = config().dataDir): TrialSecrets {
  const file = path.join(path.dirname(path.resolve(dataDir)), "trial-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as TrialSecrets;
  mkdirSync(path.dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync("ed25519");
  const secrets: TrialSecrets = {
    githubWebhookSecret: randomBytes(24).toString("base64url"),
    sessionSecret: randomBytes(32).toString("base64url"),
    signingKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
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
