import { z } from "zod";
import { parseTrustedProxies, type TrustedProxies } from "./http/client-address";

/** Raised when the environment is invalid; the message names the variable and what to fix, in one line. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === "postgres:" || u.protocol === "postgresql:") && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, "must be a postgres:// or postgresql:// URL with a host, e.g. postgres://user@127.0.0.1:5432/custody");

/** A whole number in the environment that `ok` accepts (`must` says what it must be otherwise), `fallback` when unset. */
const wholeNumber = (fallback: number, ok: (n: number) => boolean, must: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .refine(ok, must)
    .optional()
    .transform((n) => n ?? fallback);

const positiveInt = (fallback: number) => wholeNumber(fallback, (n) => n > 0, "must be greater than 0");

const secret = z.string().min(16, "must be at least 16 characters").optional();

const flag = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .optional()
  .transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  CUSTODY_MODE: z.enum(["trial", "server"], { message: "must be trial or server" }).default("trial"),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_READ_URL: postgresUrl.optional(),
  CUSTODY_DATA_DIR: z.string().trim().min(1).default(".data/pglite"),
  PORT: positiveInt(3000).refine((n) => n < 65536, "must be a TCP port (1-65535)"),
  CUSTODY_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
  CUSTODY_MAX_SNAPSHOT_BYTES: positiveInt(32 * 1024 * 1024),
  CUSTODY_SIGN_IN_LIMIT_PER_IP: positiveInt(20),
  CUSTODY_MAX_BUNDLE_BYTES: positiveInt(1024 * 1024),
  CUSTODY_HEAP_GROWING_PERCENT: wholeNumber(50, (n) => n <= 400, "must be 400 or less"),
  CUSTODY_SIGSTORE_TRUSTED_ROOTS: z.string().trim().optional(),
  GITHUB_WEBHOOK_SECRET: secret,
  GITLAB_WEBHOOK_SECRET: secret,
  GITLAB_WEBHOOK_SIGNING_TOKEN: z.string().trim().regex(/^whsec_[A-Za-z0-9+/=]{20,}$/, "must be GitLab's signing token: whsec_ followed by base64").optional(),
  CUSTODY_SESSION_SECRET: secret,
  CUSTODY_POLICY_FILE: z.string().trim().min(1).optional(),
  CUSTODY_SIGNING_KEY: z.string().trim().min(1).optional(),
  CUSTODY_PUBLIC_URL: z.url().optional(),
  CUSTODY_ORGANISATION: z.string().trim().min(1).max(200).optional(),
  CUSTODY_OIDC_ISSUER: z.url().optional(),
  CUSTODY_OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  CUSTODY_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  CUSTODY_OIDC_ROLE_CLAIM: z.string().trim().min(1).default("custody_role"),
  CUSTODY_OIDC_ROLE_MAP: z
    .string()
    .trim()
    .regex(/^[^=,]+=(admin|compliance|manager|auditor)(,[^=,]+=(admin|compliance|manager|auditor))*$/, "must be claim-value=role pairs, comma-separated, e.g. custody-admins=admin,auditors=auditor")
    .optional(),
  CUSTODY_METRICS_PUBLIC: flag,
  CUSTODY_TRUSTED_PROXIES: z.string().optional(),
  DATABASE_MIGRATION_URL: postgresUrl.optional(),
  CUSTODY_EVALUATOR: z.enum(["inline", "external"], { message: "must be inline or external" }).default("inline"),
  CUSTODY_EVALUATION_SHARDS: positiveInt(1).refine((n) => n <= 30, "must be 30 or fewer"),
  CUSTODY_CHECKPOINT_EVERY: positiveInt(1000),
  CUSTODY_CHECKPOINT_MINUTES: positiveInt(10),
  CUSTODY_CHECKPOINT_ORIGIN: z
    .string()
    .trim()
    .regex(/^[^\s+]+$/u, "must be a name without spaces or '+', e.g. custody.example.com/ledger")
    .optional(),
  CUSTODY_WITNESS_DIR: z.string().trim().min(1).optional(),
  CUSTODY_WITNESS_URL: z.url().optional(),
  CUSTODY_FUTURE_SKEW_SECONDS: positiveInt(300),
  CUSTODY_DEMO_END: z.iso.datetime({ offset: true, message: "must be an ISO 8601 instant, e.g. 2026-11-27T12:00:00Z" }).optional(),
  CUSTODY_BREAK_GLASS: z
    .string()
    .trim()
    .regex(/^(\*|off|[a-z0-9][a-z0-9-]*(,[a-z0-9][a-z0-9-]*)*)$/, "must be *, off, or environment names, comma-separated")
    .default("*"),
  CUSTODY_ADMISSION_NAMESPACES: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]+=(enforce|warn|off)(:[a-z0-9-]+)?(,[a-z0-9-]+=(enforce|warn|off)(:[a-z0-9-]+)?)*$/, "must be namespace=enforce|warn|off[:environment] pairs, comma-separated, e.g. shop=enforce:production")
    .optional(),
  CUSTODY_ADMISSION_FAILURE_POLICY: z.enum(["Ignore", "Fail"], { message: "must be Ignore or Fail" }).default("Ignore"),
  CUSTODY_ADMISSION_BUDGET_MS: positiveInt(2000),
  CUSTODY_GITHUB_API_URL: z.url().default("https://api.github.com"),
  CUSTODY_GITHUB_TOKEN: z.string().trim().min(1).optional(),
  CUSTODY_GITHUB_APP_ID: z.string().trim().regex(/^\d+$/, "must be the App's numeric id").optional(),
  CUSTODY_GITHUB_APP_PRIVATE_KEY: z.string().trim().includes("PRIVATE KEY", { message: "must be the App's PEM private key" }).optional(),
  CUSTODY_GITHUB_APP_INSTALLATION_ID: z.string().trim().regex(/^\d+$/, "must be the installation's numeric id").optional(),
});

/** What a deployed server must be given; it never falls back to the embedded database or trial secrets. */
const requiredInServerMode = ["DATABASE_URL", "CUSTODY_SESSION_SECRET", "GITHUB_WEBHOOK_SECRET"] as const;

export type Config = {
  mode: "trial" | "server";
  databaseUrl: string | undefined;
  /** A read replica for dashboards and reports; undefined: they read DATABASE_URL. */
  readDatabaseUrl: string | undefined;
  dataDir: string;
  port: number;
  maxBodyBytes: number;
  /**
   * One cluster snapshot's size limit on POST /api/v1/events (CUSTODY_MAX_SNAPSHOT_BYTES, default 32 MiB):
   * a body past maxBodyBytes is accepted only when it is a single snapshot event.
   */
  maxSnapshotBytes: number;
  /** Sign-in attempts per client IP in ten minutes (CUSTODY_SIGN_IN_LIMIT_PER_IP, default 20). */
  signInLimitPerIp: number;
  /** One Sigstore bundle's size limit (413 above it). */
  maxBundleBytes: number;
  /**
   * How far the server's heap may grow past what the last full collection kept before the next one
   * (CUSTODY_HEAP_GROWING_PERCENT, default 50; 0 leaves V8's own factor, up to 4×): see lib/server-heap.ts.
   */
  heapGrowingPercent: number;
  /** Trusted-root files added to the shipped public-good root (comma-separated in the environment). */
  sigstoreTrustedRoots: string[];
  githubWebhookSecret: string | undefined;
  /** GitLab's `X-Gitlab-Token` secret and its Standard Webhooks signing token (docs/pipelines.md "GitLab"). */
  gitlab: { webhookSecret: string | undefined; signingToken: string | undefined };
  sessionSecret: string | undefined;
  policyFile: string | undefined;
  signingKey: string | undefined;
  publicUrl: string | undefined;
  /** The organisation named on evidence reports (CUSTODY_ORGANISATION). */
  organisation: string | undefined;
  /** Sign-in through the organisation's OpenID provider; undefined when not configured. */
  oidc: OidcConfig | undefined;
  metricsPublic: boolean;
  /** Proxies whose X-Forwarded-For is believed (hops or CIDRs); null: the socket's address. */
  trustedProxies: TrustedProxies;
  /** The owner role's URL for migrations and rebuilds; the server's DATABASE_URL may then be a runtime role. */
  migrationUrl: string | undefined;
  /** Who judges the evaluation queue: this server after its commits, or `custody worker` processes. */
  evaluator: "inline" | "external";
  /** Shards of the evaluation queue (by environment), each judged under its own advisory lock; the same in every process. */
  evaluationShards: number;
  /** Signed checkpoints of the ledger's Merkle tree, and where copies are witnessed. */
  checkpoints: { everyEntries: number; everyMinutes: number; origin: string; witnessDir: string | undefined; witnessUrl: string | undefined };
  /** How far in the future an event's `occurredAt` may be (clock skew) before it is refused. */
  futureSkewSeconds: number;
  /**
   * Where the demo history ends when `custody start` or `custody demo` first loads it
   * (CUSTODY_DEMO_END); unset: the minute it is loaded, so a new trial shows a current cluster.
   */
  demoEnd: Date | undefined;
  /** Environments where break glass may admit a refused change: `*` (all), `off`, or a list. */
  breakGlass: "*" | "off" | string[];
  admission: AdmissionConfig;
  /** Where decisions are reported on GitHub: a token (commit statuses) or an App (check runs); null when neither is set. */
  githubReporting: GithubReporting | null;
};

export type GithubReporting =
  | { kind: "token"; apiUrl: string; token: string; publicUrl: string | undefined }
  | { kind: "app"; apiUrl: string; appId: string; privateKey: string; installationId: string; publicUrl: string | undefined };

export type AdmissionMode = "enforce" | "warn" | "off";
export type AdmissionConfig = {
  /** Namespace to mode and environment; a namespace not listed that is named like a known environment is `warn`. */
  namespaces: Record<string, { mode: AdmissionMode; environment: string }>;
  /** What the webhook answers when it cannot judge (malformed review, time budget spent): mirror the webhook's failurePolicy. */
  failurePolicy: "Ignore" | "Fail";
  budgetMs: number;
};

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  roleClaim: string;
  /** Claim value to Custody role; with no map, the role names themselves. */
  roleMap: Record<string, string>;
};

/** Validates the environment once; empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.keys(envSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "environment");
    throw new ConfigError(`invalid configuration: ${name} ${issue?.message ?? "is invalid"}`);
  }
  const e = parsed.data;
  if (e.CUSTODY_EVALUATOR === "external" && !e.DATABASE_URL) {
    throw new ConfigError("invalid configuration: CUSTODY_EVALUATOR=external needs DATABASE_URL (the embedded database is one process: it judges inline)");
  }
  if (e.CUSTODY_MODE === "server") {
    const missing = requiredInServerMode.find((name) => e[name] === undefined);
    if (missing) throw new ConfigError(`invalid configuration: ${missing} is required when CUSTODY_MODE=server`);
  }
  return {
    mode: e.CUSTODY_MODE,
    databaseUrl: e.DATABASE_URL,
    readDatabaseUrl: e.DATABASE_READ_URL,
    dataDir: e.CUSTODY_DATA_DIR,
    port: e.PORT,
    maxBodyBytes: e.CUSTODY_MAX_BODY_BYTES,
    maxSnapshotBytes: Math.max(e.CUSTODY_MAX_SNAPSHOT_BYTES, e.CUSTODY_MAX_BODY_BYTES),
    signInLimitPerIp: e.CUSTODY_SIGN_IN_LIMIT_PER_IP,
    maxBundleBytes: e.CUSTODY_MAX_BUNDLE_BYTES,
    heapGrowingPercent: e.CUSTODY_HEAP_GROWING_PERCENT,
    sigstoreTrustedRoots: (e.CUSTODY_SIGSTORE_TRUSTED_ROOTS ?? "").split(",").map((f) => f.trim()).filter((f) => f !== ""),
    githubWebhookSecret: e.GITHUB_WEBHOOK_SECRET,
    gitlab: { webhookSecret: e.GITLAB_WEBHOOK_SECRET, signingToken: e.GITLAB_WEBHOOK_SIGNING_TOKEN },
    sessionSecret: e.CUSTODY_SESSION_SECRET,
    policyFile: e.CUSTODY_POLICY_FILE,
    signingKey: e.CUSTODY_SIGNING_KEY,
    publicUrl: e.CUSTODY_PUBLIC_URL,
    organisation: e.CUSTODY_ORGANISATION,
    oidc: oidcConfig(e),
    metricsPublic: e.CUSTODY_METRICS_PUBLIC,
    trustedProxies: trustedProxiesOf(e.CUSTODY_TRUSTED_PROXIES),
    migrationUrl: e.DATABASE_MIGRATION_URL,
    evaluator: e.CUSTODY_EVALUATOR,
    evaluationShards: e.CUSTODY_EVALUATION_SHARDS,
    checkpoints: {
      everyEntries: e.CUSTODY_CHECKPOINT_EVERY,
      everyMinutes: e.CUSTODY_CHECKPOINT_MINUTES,
      origin: e.CUSTODY_CHECKPOINT_ORIGIN ?? `${e.CUSTODY_PUBLIC_URL ? new URL(e.CUSTODY_PUBLIC_URL).host : "custody.local"}/ledger`,
      witnessDir: e.CUSTODY_WITNESS_DIR,
      witnessUrl: e.CUSTODY_WITNESS_URL,
    },
    futureSkewSeconds: e.CUSTODY_FUTURE_SKEW_SECONDS,
    demoEnd: e.CUSTODY_DEMO_END ? new Date(e.CUSTODY_DEMO_END) : undefined,
    breakGlass: e.CUSTODY_BREAK_GLASS === "*" || e.CUSTODY_BREAK_GLASS === "off" ? e.CUSTODY_BREAK_GLASS : e.CUSTODY_BREAK_GLASS.split(","),
    admission: {
      namespaces: Object.fromEntries(
        (e.CUSTODY_ADMISSION_NAMESPACES?.split(",") ?? []).map((pair) => {
          const [namespace = "", rest = ""] = pair.split("=");
          const [mode = "warn", environment = namespace] = rest.split(":");
          return [namespace, { mode: mode as AdmissionMode, environment }];
        }),
      ),
      failurePolicy: e.CUSTODY_ADMISSION_FAILURE_POLICY,
      budgetMs: e.CUSTODY_ADMISSION_BUDGET_MS,
    },
    githubReporting: githubReporting(e),
  };
}

function trustedProxiesOf(value: string | undefined): TrustedProxies {
  try {
    return parseTrustedProxies(value);
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${(error as Error).message}`);
  }
}

function githubReporting(e: z.infer<typeof envSchema>): GithubReporting | null {
  const app = [e.CUSTODY_GITHUB_APP_ID, e.CUSTODY_GITHUB_APP_PRIVATE_KEY, e.CUSTODY_GITHUB_APP_INSTALLATION_ID];
  if (app.some((v) => v !== undefined)) {
    const names = ["CUSTODY_GITHUB_APP_ID", "CUSTODY_GITHUB_APP_PRIVATE_KEY", "CUSTODY_GITHUB_APP_INSTALLATION_ID"];
    const missing = names.find((_, i) => app[i] === undefined);
    if (missing) throw new ConfigError(`invalid configuration: ${missing} is required when a GitHub App reports decisions`);
    return {
      kind: "app",
      apiUrl: e.CUSTODY_GITHUB_API_URL,
      appId: e.CUSTODY_GITHUB_APP_ID ?? "",
      privateKey: (e.CUSTODY_GITHUB_APP_PRIVATE_KEY ?? "").replace(/\\n/g, "\n"),
      installationId: e.CUSTODY_GITHUB_APP_INSTALLATION_ID ?? "",
      publicUrl: e.CUSTODY_PUBLIC_URL,
    };
  }
  if (e.CUSTODY_GITHUB_TOKEN) return { kind: "token", apiUrl: e.CUSTODY_GITHUB_API_URL, token: e.CUSTODY_GITHUB_TOKEN, publicUrl: e.CUSTODY_PUBLIC_URL };
  return null;
}

function oidcConfig(e: z.infer<typeof envSchema>): OidcConfig | undefined {
  if (!e.CUSTODY_OIDC_ISSUER && !e.CUSTODY_OIDC_CLIENT_ID) return undefined;
  if (!e.CUSTODY_OIDC_ISSUER || !e.CUSTODY_OIDC_CLIENT_ID) {
    const missing = e.CUSTODY_OIDC_ISSUER ? "CUSTODY_OIDC_CLIENT_ID" : "CUSTODY_OIDC_ISSUER";
    throw new ConfigError(`invalid configuration: ${missing} is required when OpenID Connect sign-in is configured`);
  }
  const roleMap = e.CUSTODY_OIDC_ROLE_MAP
    ? Object.fromEntries(e.CUSTODY_OIDC_ROLE_MAP.split(",").map((pair) => pair.split("=").map((s) => s.trim()) as [string, string]))
    : { admin: "admin", compliance: "compliance", manager: "manager", auditor: "auditor" };
  return { issuer: e.CUSTODY_OIDC_ISSUER, clientId: e.CUSTODY_OIDC_CLIENT_ID, clientSecret: e.CUSTODY_OIDC_CLIENT_SECRET, roleClaim: e.CUSTODY_OIDC_ROLE_CLAIM, roleMap };
}

/**
 * The sign-in limit per client IP, read without the cached config(), so that the sign-in code never
 * freezes the rest of the configuration as a side effect (the value itself is validated at start).
 */
export function signInLimitPerIp(env: Record<string, string | undefined> = process.env): number {
  return positiveInt(20).parse(env.CUSTODY_SIGN_IN_LIMIT_PER_IP);
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/**
 * Forgets the configuration read so far: the next config() reads the environment again. For a process
 * that runs several CLI commands, each with its own environment (the in-process CLI tests,
 * lib/testing/cli.ts); a server reads its configuration once.
 */
export function forgetConfig(): void {
  cached = undefined;
}
