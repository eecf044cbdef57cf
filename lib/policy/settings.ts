import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { canonicalJson } from "./canonical-json";
import { hasNestedUnboundedQuantifier } from "./regex-safety";
import { severities } from "./rule-types";
import { defaultEvidenceSources, evidenceSourcesSchema } from "./sources";

const regexSource = z
  .string()
  .min(1)
  .refine((source) => {
    try {
      new RegExp(source, "i");
      return true;
    } catch {
      return false;
    }
  }, "must be a valid regular expression")
  .refine(
    (source) => !hasNestedUnboundedQuantifier(source),
    "has nested unbounded quantifiers, which can backtrack catastrophically: bound the outer one, e.g. {0,8}",
  );

export const provenanceModes = ["required", "advisory", "off"] as const;
export type ProvenanceMode = (typeof provenanceModes)[number];

/**
 * Who may sign a service's provenance. Every field given must match the signing certificate
 * (`*` globs, case-insensitive); a rule with `service` applies to that service only and takes
 * precedence over rules without one.
 */
const expectedSigner = z.strictObject({
  service: z.string().min(1).optional(),
  /** `owner/name` of the source repository (Source Repository URI / SAN). */
  repository: z.string().min(1).optional(),
  /** The workflow file, e.g. `.github/workflows/release.yml`. */
  workflow: z.string().min(1).optional(),
  /** The ref the workflow ran from, e.g. `refs/heads/main` or `refs/tags/v*`. */
  ref: z.string().min(1).optional(),
  /** The OIDC issuer, e.g. `https://token.actions.githubusercontent.com`. */
  issuer: z.string().min(1).optional(),
  runnerEnvironment: z.enum(["github-hosted", "self-hosted"]).optional(),
});
export type ExpectedSigner = z.infer<typeof expectedSigner>;

const envName = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, "must be the name of an environment variable, e.g. GITLAB_TOKEN_PLATFORM");

/**
 * A further GitLab webhook secret, for one GitLab instance and/or one group (and its subgroups).
 * The policy names the environment variables holding the secrets, never the secrets themselves.
 */
const gitlabWebhook = z
  .strictObject({
    /** `X-Gitlab-Instance` as GitLab sends it, e.g. `https://gitlab.example.com`. */
    instance: z.url().optional(),
    /** A group path: projects under it (`platform`, `platform/payments/...`). */
    group: z.string().regex(/^[\w.-]+(\/[\w.-]+)*$/, "must be a group path, e.g. platform/payments").optional(),
    tokenEnv: envName,
    signingTokenEnv: envName.optional(),
  })
  .refine((w) => w.instance !== undefined || w.group !== undefined, "must name an instance, a group or both");
export type GitlabWebhookSecret = z.infer<typeof gitlabWebhook>;

const settingsShape = {
  /** Independent approvals (by someone who neither wrote nor opened the PR) a change needs. */
  requiredApprovals: z.number().int().min(1).max(20),
  /** Tagged images per service kept in the registry for rollback. */
  retainedImages: z.number().int().min(1).max(1000),
  /** How long a registry may keep an untagged image (the seed's "prune untagged images weekly"). */
  untaggedImageMaxAgeDays: z.number().positive().max(365),
  maxImageSizeBytes: z.number().int().positive(),
  /** A scan finding at or above this severity blocks the image. */
  blockingScanSeverity: z.enum(severities),
  /** How old a backup verification may be at production apply time. */
  attestationFreshnessHours: z.number().positive().max(24 * 365),
  /** Whether a passing staging-verification attestation is needed, not only a staging deployment. */
  stagingVerificationRequired: z.boolean(),
  /** Builder identities that count as CI: exact names or `*` globs (SLSA builder ids are URLs). Case-insensitive. */
  ciBuilderIdentities: z.array(z.string().min(1)).min(1),
  /** Tags known to move; named in reasons. Any tag that is not a commit SHA is treated as mutable anyway. */
  mutableTags: z.array(z.string().min(1)),
  /** Regular expressions (matched case-insensitively) for hand-run change requests in PR text. */
  manualInstructionPatterns: z.array(regexSource),
  /** Pipeline trigger events that mean a person started the run by hand. */
  manualTriggerEvents: z.array(z.string().min(1)),
  /** CI check names that must pass on the merged commit; empty means every check on it must pass. */
  requiredChecks: z.array(z.string().min(1)),
  /** Whether verified Sigstore provenance is required, advisory or not checked, where no environment says otherwise. */
  provenanceMode: z.enum(provenanceModes),
  /** Per environment name, overriding `provenanceMode`, e.g. `{ "production": "required" }`. */
  provenanceModeByEnvironment: z.record(z.string().min(1), z.enum(provenanceModes)),
  /** The signers whose provenance counts; see expectedSigner. */
  provenanceSigners: z.array(expectedSigner).min(1),
  /** Which sources each kind of fact may come from (lib/policy/sources.ts); docs/auditors.md "Where evidence comes from". */
  evidenceSources: evidenceSourcesSchema,
  /** Further GitLab webhook secrets per instance or group, besides GITLAB_WEBHOOK_SECRET (docs/pipelines.md). */
  gitlabWebhooks: z.array(gitlabWebhook).max(100),
};

const settingsSchema = z.strictObject(settingsShape);
// evidenceSources may be given in part: its `accept` lists are merged per fact over the defaults.
const overridesSchema = z.strictObject({ ...settingsShape, evidenceSources: evidenceSourcesSchema.partial() }).partial();

export type PolicySettings = z.infer<typeof settingsSchema>;
export type PolicyOverrides = z.infer<typeof overridesSchema>;
/** The effective settings plus `version`, the fingerprint every stored check result records. */
export type Policy = Readonly<PolicySettings> & { readonly version: string };

// Parsed so a broken default (e.g. a pattern that does not compile) fails at load, not mid-check.
export const defaultSettings: PolicySettings = settingsSchema.parse({
  requiredApprovals: 1,
  retainedImages: 10,
  untaggedImageMaxAgeDays: 7,
  maxImageSizeBytes: 500 * 1024 * 1024,
  blockingScanSeverity: "high",
  attestationFreshnessHours: 24,
  stagingVerificationRequired: true,
  ciBuilderIdentities: [
    "github-actions",
    "github-actions[bot]",
    "gitlab-ci",
    "jenkins",
    "buildkite",
    "circleci",
    "https://github.com/*",
    "https://gitlab.com/*",
  ],
  mutableTags: ["latest", "stable", "main", "master", "dev", "edge", "prod", "production", "staging"],
  manualInstructionPatterns: [
    // Flags (with or without a value) may sit between the command and its verb: kubectl -n pay edit.
    // Every repetition is bounded, so a body of "ssh -a ssh -a …" is judged in linear time.
    String.raw`\bkubectl(?:\s{1,10}--?[\w-]{1,60}(?:=\S{1,200}|\s{1,10}[^\s-]\S{0,200})?){0,8}\s{1,10}(?:apply|cp|edit|exec|patch|replace|scale|set\s{1,10}image)\b`,
    String.raw`\bssh(?:\s{1,10}--?[\w-]{1,60}(?:=\S{1,200}|\s{1,10}[^\s-]\S{0,200})?){0,8}\s{1,10}[\w.-]{1,100}@[\w.-]{1,253}`,
    String.raw`\bssh\s+(?:in)?to\s+(?:the\s+)?(?:box|server|host|node|pod|vm|instance|prod\w*)\b`,
    String.raw`\bhot-?fix(?:ed)?\s+(?:it\s+)?(?:directly\s+)?on\s+the\s+(?:box|server|host|node|pod)\b`,
    String.raw`\bdocker\s+exec\b`,
    String.raw`\b(?:manually|by\s+hand)\s+(?:apply|run|edit|patch|restart|deploy|change|update)\b`,
  ],
  manualTriggerEvents: ["workflow_dispatch", "repository_dispatch", "manual", "web", "api", "trigger"],
  requiredChecks: [],
  provenanceMode: "advisory",
  provenanceModeByEnvironment: {},
  provenanceSigners: [{ issuer: "https://token.actions.githubusercontent.com" }],
  evidenceSources: defaultEvidenceSources,
  gitlabWebhooks: [],
});

/** The provenance mode of an environment. */
export function provenanceModeFor(policy: Pick<Policy, "provenanceMode" | "provenanceModeByEnvironment">, environment: string): ProvenanceMode {
  return policy.provenanceModeByEnvironment[environment] ?? policy.provenanceMode;
}

/** First 12 hex of the SHA-256 of the canonical JSON of the effective settings. */
export function policyVersion(settings: PolicySettings): string {
  return createHash("sha256").update(canonicalJson(settings)).digest("hex").slice(0, 12);
}

function withVersion(settings: PolicySettings): Policy {
  return Object.freeze({ ...settings, version: policyVersion(settings) });
}

export const defaultPolicy: Policy = withVersion(defaultSettings);

export class PolicyError extends Error {
  override name = "PolicyError";
}

/**
 * Applies overrides to the defaults. A key replaces the default whole (arrays are not merged),
 * so the file states the effective list. `source` names where the overrides came from in errors.
 */
export function resolvePolicy(overrides: unknown, source = "policy overrides"): Policy {
  const parsed = overridesSchema.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue && issue.path.length > 0 ? issue.path.map(String).join(".") : null;
    const unknownKeys = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : undefined;
    // An unknown key inside a setting (e.g. a signer rule's field) is named with the setting's path.
    const key = unknownKeys !== undefined ? (at !== null ? `${at}.${unknownKeys}` : unknownKeys) : (at ?? "(root)");
    const message = unknownKeys !== undefined ? (at !== null ? "is not a known field" : "is not a policy setting") : (issue?.message ?? "is invalid");
    throw new PolicyError(`${source}: ${key} ${message}`);
  }
  const effective: PolicySettings = { ...defaultSettings };
  for (const [k, v] of Object.entries(parsed.data)) {
    if (v !== undefined && k !== "evidenceSources") Object.assign(effective, { [k]: v });
  }
  const sources = parsed.data.evidenceSources;
  if (sources !== undefined) {
    effective.evidenceSources = {
      accept: { ...defaultEvidenceSources.accept, ...sources.accept },
      repositories: sources.repositories ?? defaultEvidenceSources.repositories,
      webhookOnlyForWebhookRepositories: sources.webhookOnlyForWebhookRepositories ?? defaultEvidenceSources.webhookOnlyForWebhookRepositories,
    };
  }
  return withVersion(effective);
}

/**
 * Reads overrides from a JSON file (callers pass `config().policyFile`); no path means the defaults.
 * A missing or malformed file, or a bad key, throws a PolicyError naming the file and the key.
 */
export function loadPolicy(filePath?: string): Policy {
  if (filePath === undefined) return defaultPolicy;
  let text: string;
  try {
    text = readFileSync(filePath, "utf8");
  } catch (err) {
    throw new PolicyError(`policy file ${filePath}: cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(`policy file ${filePath}: is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return resolvePolicy(json, `policy file ${filePath}`);
}

/** Compiles the manual-instruction patterns; they were validated when the policy was built. */
export function manualInstructionRegexes(policy: Pick<Policy, "manualInstructionPatterns">): RegExp[] {
  return policy.manualInstructionPatterns.map((source) => new RegExp(source, "i"));
}
