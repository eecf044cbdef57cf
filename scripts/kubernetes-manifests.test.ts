import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { historyQueries } from "@/lib/ingest/migrations/history";
import { requireTool } from "@/lib/testing/requires";

// js-yaml ships with the lint toolchain; the manifests are rendered by kubectl's built-in kustomize.
const yaml = createRequire(import.meta.url)("js-yaml") as { loadAll: (text: string) => unknown[] };
const hasKubectl = requireTool(
  import.meta.filename,
  "the overlays rendered with kubectl kustomize",
  "kubectl",
  spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0,
);
const root = path.resolve(import.meta.dirname, "..", "deploy", "kubernetes");
const digest = "sha256:73e71f5a7b5226c9e15726356919a042865aab89847a4852ce4098a523f1f75c";
const cliDigest = "sha256:5b0c2a0e3f1d4c6b8a9e7f6d5c4b3a291807f6e5d4c3b2a1908f7e6d5c4b3a29";

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, never> } & Record<string, unknown>;
type Container = Record<string, never>;

function render(overlay: string): Doc[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), "custody-k8s-"));
  cpSync(root, dir, { recursive: true });
  execFileSync(process.execPath, [path.join(dir, "set-image.mjs"), path.join(dir, "overlays", overlay), `ghcr.io/acme/custody@${digest}`, `ghcr.io/acme/custody-cli@${cliDigest}`]);
  return yaml.loadAll(execFileSync("kubectl", ["kustomize", path.join(dir, "overlays", overlay)], { encoding: "utf8" })) as Doc[];
}

const find = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
const hardened = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

describe.skipIf(!hasKubectl).each(["development", "staging", "production"])("the %s overlay", (overlay) => {
  // Rendered when the suite runs, not while it is collected (a skipped suite runs no kubectl).
  let docs: Doc[] = [];
  beforeAll(() => {
    docs = render(overlay);
  });

  it("runs two or more hardened replicas of the image by digest, probed on /api/health", () => {
    const deployment = find(docs, "Deployment").find((d) => d.metadata.name === "custody");
    const spec = deployment?.spec as unknown as { replicas: number; template: { spec: { containers: Container[] } } };
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    const [c] = spec.template.spec.containers;
    expect(c).toMatchObject({ image: `ghcr.io/acme/custody@${digest}`, securityContext: hardened });
    for (const probe of ["readinessProbe", "livenessProbe"]) expect(c).toMatchObject({ [probe]: { httpGet: { path: "/api/health" } } });
    expect(c).toMatchObject({ resources: { requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } } });
  });

  it("takes configuration from a ConfigMap and the four secrets from a Secret", () => {
    const text = JSON.stringify(find(docs, "Deployment"));
    for (const key of ["DATABASE_URL", "CUSTODY_SESSION_SECRET", "GITHUB_WEBHOOK_SECRET", "CUSTODY_SIGNING_KEY"]) {
      expect(text).toContain(`"name":"${key}","valueFrom":{"secretKeyRef":{"key":"${key}","name":"custody-secrets"}}`);
    }
    expect(find(docs, "ConfigMap")[0]?.data).toMatchObject({ CUSTODY_MODE: "server" });
    expect(find(docs, "Secret")).toHaveLength(0);
  });

  it("migrates with a Job named for the digest, and keeps a disruption budget", () => {
    const [job] = find(docs, "Job");
    expect(job?.metadata.name).toBe(`custody-migrate-${digest.slice(7, 19)}`);
    expect(JSON.stringify(job)).toContain('"command":["node","scripts/migrate.mjs"]');
    expect(find(docs, "PodDisruptionBudget")).toHaveLength(1);
  });

  it("judges in custody worker pods from the CLI image by digest, hardened, the servers only storing and queueing", () => {
    const worker = find(docs, "Deployment").find((d) => d.metadata.name === "custody-worker");
    const spec = worker?.spec as unknown as { replicas: number; template: { spec: { containers: Container[] } } };
    const [c] = spec.template.spec.containers;
    expect(c).toMatchObject({ image: `ghcr.io/acme/custody-cli@${cliDigest}`, command: ["custody", "worker"], securityContext: hardened });
    expect(c).toMatchObject({ resources: { requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } } });
    expect(JSON.stringify(c)).toContain('"name":"DATABASE_URL","valueFrom":{"secretKeyRef":{"key":"DATABASE_URL","name":"custody-secrets"}}');
    const data = find(docs, "ConfigMap")[0]?.data as unknown as Record<string, string>;
    expect(data).toMatchObject({ CUSTODY_EVALUATOR: "external" });
    // Both read the same ConfigMap, so servers and workers agree on the shard count.
    expect(JSON.stringify(c)).toContain('"configMapRef":{"name":"' + find(docs, "ConfigMap")[0]?.metadata.name + '"}');
    const shards = Number(data.CUSTODY_EVALUATION_SHARDS);
    expect(spec.replicas).toBeGreaterThanOrEqual(2);
    expect(spec.replicas).toBeLessThanOrEqual(shards);
    if (overlay === "production") expect(spec.replicas).toBe(shards);
  });

  it("migrates as the owner role and serves as the runtime role: the server never gets the owner's URL", () => {
    const [job] = find(docs, "Job");
    expect(JSON.stringify(job)).toContain('"name":"DATABASE_MIGRATION_URL","valueFrom":{"secretKeyRef":{"key":"DATABASE_MIGRATION_URL","name":"custody-db-owner"}}');
    expect(JSON.stringify(job)).not.toContain('"name":"DATABASE_URL"');
    expect(JSON.stringify(find(docs, "Deployment"))).not.toContain("custody-db-owner");
  });
});

describe("the snapshot CronJob", () => {
  const docs = yaml.loadAll(readFileSync(path.join(root, "snapshot-cronjob.yaml"), "utf8")) as Doc[];

  it("pipes kubectl's pods, controllers, ConfigMaps and Secrets into the CLI every 5 minutes, with read-only access to exactly those", () => {
    const [cron] = find(docs, "CronJob");
    expect(cron?.spec).toMatchObject({ schedule: "*/5 * * * *", concurrencyPolicy: "Forbid" });
    expect(JSON.stringify(cron)).toContain("kubectl get pods,deploy,sts,ds,cronjob,job,cm,secret -A -o json | custody snapshot k8s --environment");
    expect(find(docs, "ClusterRole")[0]?.rules).toEqual([
      { apiGroups: [""], resources: ["pods", "configmaps", "secrets"], verbs: ["get", "list"] },
      { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], verbs: ["get", "list"] },
      { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: ["get", "list"] },
    ]);
  });
});

describe("the GitOps snapshot CronJobs", () => {
  const docs = yaml.loadAll(readFileSync(path.join(root, "gitops-snapshot-cronjob.yaml"), "utf8")) as Doc[];

  it("pipe Argo CD Applications and Flux Kustomizations/HelmReleases into the CLI, with read-only access to those alone", () => {
    const crons = JSON.stringify(find(docs, "CronJob"));
    expect(crons).toContain("kubectl get applications.argoproj.io -A -o json | custody snapshot argocd --environment");
    expect(crons).toContain("helmreleases.helm.toolkit.fluxcd.io -A -o json | custody snapshot flux --environment");
    const rules = find(docs, "ClusterRole")[0]?.rules as { verbs: string[] }[];
    expect(rules.every((r) => JSON.stringify(r.verbs) === '["get","list"]')).toBe(true);
  });
});

describe("the migration snapshot CronJob", () => {
  const docs = yaml.loadAll(readFileSync(path.join(root, "migration-snapshot-cronjob.yaml"), "utf8")) as Doc[];
  type Env = { name: string; value?: string; valueFrom?: unknown };
  type Pod = { automountServiceAccountToken: boolean; initContainers: Container[]; containers: Container[]; volumes: { name: string; emptyDir?: unknown }[] };
  const [cron] = find(docs, "CronJob") as unknown as { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: Pod } } } } }[];
  const pod = cron?.spec.jobTemplate.spec.template.spec;
  const envOf = (c: Container | undefined) => new Map(((c?.env ?? []) as Env[]).map((e) => [e.name, e]));

  it("reads the tool's history table with psql --csv as a read-only transaction in UTC, and pipes the rows into custody snapshot migrations", () => {
    expect(cron?.spec).toMatchObject({ schedule: "17 * * * *", concurrencyPolicy: "Forbid" });
    const [psql] = pod?.initContainers ?? [];
    const [cli] = pod?.containers ?? [];
    const psqlEnv = envOf(psql);
    const cliEnv = envOf(cli);
    const script = (c: Container | undefined) => ((c?.command ?? []) as string[]).join(" ");
    expect(script(psql)).toContain('psql "$DATABASE_URL" --no-psqlrc --set ON_ERROR_STOP=1 --csv -c "$HISTORY_QUERY" > /history/rows.csv');
    expect(psqlEnv.get("PGTZ")?.value).toBe("UTC");
    expect(psqlEnv.get("PGOPTIONS")?.value).toContain("-c default_transaction_read_only=on");
    expect(psqlEnv.get("DATABASE_URL")?.valueFrom).toEqual({ secretKeyRef: { name: "custody-migrations-orders", key: "url" } });
    // The query the CLI's parser expects for the tool the CLI is told (lib/ingest/migrations/history.ts).
    const tool = cliEnv.get("MIGRATION_TOOL")?.value as keyof typeof historyQueries;
    expect(psqlEnv.get("HISTORY_QUERY")?.value).toBe(historyQueries[tool]);
    expect(script(cli)).toContain(
      'custody snapshot migrations --tool "$MIGRATION_TOOL" --environment "$CUSTODY_ENVIRONMENT" --database "$DATABASE_NAME" --url "$CUSTODY_URL" --token "$CUSTODY_TOKEN" < /history/rows.csv',
    );
  });

  it("runs hardened, images by digest, with no Kubernetes API token and the rows only in memory", () => {
    expect(pod?.automountServiceAccountToken).toBe(false);
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      expect(c.securityContext).toEqual(hardened);
      expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    expect(pod?.volumes.find((v) => v.name === "history")?.emptyDir).toMatchObject({ medium: "Memory" });
    expect(find(docs, "ClusterRole")).toEqual([]);
  });
});

describe("the API server's audit policy and webhook", () => {
  type Rule = { level: string; verbs?: string[]; resources?: { group: string; resources: string[] }[] };
  const [policy] = yaml.loadAll(readFileSync(path.join(root, "audit", "audit-policy.yaml"), "utf8")) as { kind: string; omitStages: string[]; rules: Rule[] }[];
  const [kubeconfig] = yaml.loadAll(readFileSync(path.join(root, "audit", "audit-webhook-kubeconfig.yaml"), "utf8")) as { clusters: { cluster: { server: string } }[] }[];
  const levelOf = (group: string, resource: string, verb: string) =>
    policy?.rules.find((r) => (!r.verbs || r.verbs.includes(verb)) && (!r.resources || r.resources.some((x) => x.group === group && x.resources.includes(resource))))?.level;

  it("records exec, attach, port-forward and ephemeral containers, and writes to workloads, ConfigMaps and Secrets, at the Metadata level only", () => {
    expect(policy?.kind).toBe("Policy");
    for (const sub of ["pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers"]) expect(levelOf("", sub, "create")).toBe("Metadata");
    for (const [group, resource] of [["apps", "deployments"], ["apps", "statefulsets"], ["apps", "daemonsets"], ["batch", "cronjobs"], ["", "configmaps"], ["", "secrets"]] as const) {
      expect(levelOf(group, resource, "patch")).toBe("Metadata");
      expect(levelOf(group, resource, "get")).toBe("None");
    }
    // Request and response bodies (Secret values) are never recorded.
    expect(policy?.rules.some((r) => r.level === "Request" || r.level === "RequestResponse")).toBe(false);
  });

  it("posts to Custody's audit endpoint with the environment in the URL", () => {
    expect(kubeconfig?.clusters[0]?.cluster.server).toMatch(/\/api\/v1\/k8s\/audit\?environment=[a-z0-9-]+$/);
  });
});
