/** The fictional organisation the demo describes: its services, people and build stacks. */

export const DEMO_ORG = "acme";
export const DEMO_NAMESPACE = "shop";
export const DEMO_ENVIRONMENTS = ["development", "staging", "production"] as const;
export type DemoEnvironment = (typeof DEMO_ENVIRONMENTS)[number];

export const PIPELINE_PROVIDER = "github-actions";
export const PIPELINE_BOT = "github-actions[bot]";
export const MANIFEST_REPOSITORY = `${DEMO_ORG}/k8s-manifests`;

type Stack = "node" | "go" | "jvm";

/** Where a service's code and CI live: GitHub (Actions) by default, or GitLab (GitLab CI). */
export type Forge = "github" | "gitlab";
export type DemoService = { name: string; stack: Stack; weight: number; forge?: Forge };

/** Weights shape how often each service changes; reviews-svc gets none so its registry stays thin. */
export const DEMO_SERVICES: readonly DemoService[] = [
  { name: "checkout", stack: "node", weight: 10 },
  { name: "payments", stack: "go", weight: 9 },
  { name: "cart", stack: "node", weight: 8 },
  { name: "catalog", stack: "jvm", weight: 8 },
  { name: "search", stack: "jvm", weight: 6 },
  { name: "inventory", stack: "go", weight: 6 },
  { name: "shipping", stack: "go", weight: 6 },
  { name: "notifications", stack: "node", weight: 7 },
  { name: "accounts", stack: "node", weight: 7 },
  { name: "pricing", stack: "go", weight: 6 },
  { name: "reviews-svc", stack: "node", weight: 0 },
  { name: "gateway", stack: "go", weight: 7 },
  // Kept in a GitLab subgroup and built by GitLab CI: the dashboard shows both forges.
  { name: "billing", stack: "go", weight: 5, forge: "gitlab" },
];

export const forgeOf = (service: string): Forge => DEMO_SERVICES.find((s) => s.name === service)?.forge ?? "github";
export const repositoryOf = (service: string): string => (forgeOf(service) === "gitlab" ? `${DEMO_ORG}/platform/${service}` : `${DEMO_ORG}/${service}`);
export const imageRepositoryOf = (service: string): string =>
  forgeOf(service) === "gitlab" ? `registry.gitlab.com/${repositoryOf(service)}` : `ghcr.io/${DEMO_ORG}/${service}`;
/** The CI system that builds and deploys a service, and the builder identity it records. */
export const pipelineProviderOf = (service: string): string => (forgeOf(service) === "gitlab" ? "gitlab-ci" : PIPELINE_PROVIDER);
/** The web address of a repository on its forge. */
export const webUrlOf = (service: string): string => `https://${forgeOf(service) === "gitlab" ? "gitlab.com" : "github.com"}/${repositoryOf(service)}`;
/** A pipeline run's page on its forge. */
export const runUrlOf = (service: string, runId: string): string =>
  forgeOf(service) === "gitlab" ? `${webUrlOf(service)}/-/pipelines/${runId}` : `${webUrlOf(service)}/actions/runs/${runId}`;

export type Engineer = { login: string; name: string; email: string };

export const ENGINEERS: readonly Engineer[] = [
  { login: "alice-ng", name: "Alice Ng", email: "alice@acme.com" },
  { login: "bob-k", name: "Bob Kowalski", email: "bob@acme.com" },
  { login: "carol-m", name: "Carol Mendes", email: "carol@acme.com" },
  { login: "dave-r", name: "Dave Rossi", email: "dave@acme.com" },
  { login: "erin-s", name: "Erin Shah", email: "erin@acme.com" },
  { login: "frank-o", name: "Frank Okafor", email: "frank@acme.com" },
  { login: "grace-l", name: "Grace Liu", email: "grace@acme.com" },
  { login: "heidi-p", name: "Heidi Park", email: "heidi@acme.com" },
];

export function engineer(login: string): Engineer {
  const found = ENGINEERS.find((e) => e.login === login);
  if (!found) throw new RangeError(`unknown demo engineer ${login}`);
  return found;
}

/** Where Dave builds images when he skips CI: the identity that must never appear as a builder. */
export const LOCAL_BUILDER = "dave@dave-macbook";

type StackImages = { builder: string; runtime: string; sizeMb: readonly [number, number] };

export const STACKS: Record<Stack, StackImages> = {
  node: { builder: "node:22.11-bookworm", runtime: "gcr.io/distroless/nodejs22-debian12", sizeMb: [110, 240] },
  go: { builder: "golang:1.23.4-bookworm", runtime: "gcr.io/distroless/static-debian12", sizeMb: [18, 60] },
  jvm: { builder: "eclipse-temurin:21.0.5_11-jdk", runtime: "eclipse-temurin:21.0.5_11-jre-alpine", sizeMb: [190, 380] },
};

export const CHECK_NAMES = ["build", "test", "lint"] as const;

/** Pull request subjects; `{svc}` is replaced by the service name. */
export const CHANGE_TITLES: readonly string[] = [
  "Add retry with jitter to outbound HTTP client",
  "Fix N+1 query on {svc} listing endpoint",
  "Bump OpenTelemetry SDK to 1.28",
  "Tune connection pool size for {svc}",
  "Add structured logging to request handlers",
  "Handle upstream timeouts gracefully",
  "Cache feature flags for 30 seconds",
  "Remove deprecated v1 endpoints from {svc}",
  "Add readiness probe on dependency health",
  "Upgrade base image to latest patch release",
  "Paginate {svc} admin API responses",
  "Fix race in shutdown hook",
  "Add metrics for queue depth",
  "Validate currency codes at the edge",
  "Reduce memory footprint of {svc} workers",
  "Add idempotency keys to write endpoints",
  "Fix off-by-one in rate limiter window",
  "Migrate {svc} config to environment variables",
  "Improve error messages for invalid input",
  "Batch database writes in {svc} sync job",
  "Add circuit breaker around {svc} dependencies",
  "Bump dependencies (security patch)",
  "Speed up cold start by lazy-loading clients",
  "Drop unused columns from {svc} read model",
];
