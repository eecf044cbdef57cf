import { execFileSync, spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { request } from "node:https";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTool } from "@/lib/testing/requires";

const yaml = createRequire(import.meta.url)("js-yaml") as { loadAll: (text: string) => unknown[] };
const hasKubectl = requireTool(import.meta.filename, "the admission component", "kubectl", spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0);
const hasOpenssl = requireTool(import.meta.filename, "scripts/admission-tls.mjs", "openssl", spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0);
const root = path.resolve(import.meta.dirname, "..");
const tmp = mkdtempSync(path.join(os.tmpdir(), "custody-admission-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string> } & Record<string, unknown>;
type Webhook = { name: string; failurePolicy: string; sideEffects: string; clientConfig: { service: { path: string; namespace: string } }; namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] }; rules: { operations: string[]; resources: string[] }[] };

/** The production overlay with the admission component added, as an operator enables it. */
function render(): Doc[] {
  const dir = path.join(tmp, "k8s");
  cpSync(path.join(root, "deploy", "kubernetes"), dir, { recursive: true });
  appendFileSync(path.join(dir, "overlays", "production", "kustomization.yaml"), "components:\n  - ../../admission\n");
  return yaml.loadAll(execFileSync("kubectl", ["kustomize", path.join(dir, "overlays", "production")], { encoding: "utf8" })) as Doc[];
}

describe.skipIf(!hasKubectl)("the admission component", () => {
  const docs = hasKubectl ? render() : [];
  const config = docs.find((d) => d.kind === "ValidatingWebhookConfiguration") as unknown as { webhooks: Webhook[]; metadata: { annotations: Record<string, string> } };

  it("sends workloads, exec/attach and kubectl debug to /api/v1/admission, exempting kube-system and Custody's namespace", () => {
    const resources = config.webhooks.flatMap((w) => w.rules.flatMap((r) => r.resources));
    expect(resources).toEqual(expect.arrayContaining(["pods", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "pods/exec", "pods/attach", "pods/ephemeralcontainers"]));
    for (const w of config.webhooks) {
      expect(w.clientConfig.service).toMatchObject({ path: "/api/v1/admission", namespace: "custody-production" });
      expect(w.sideEffects).toBe("NoneOnDryRun");
      const exempt = w.namespaceSelector.matchExpressions.find((e) => e.key === "kubernetes.io/metadata.name");
      expect(exempt).toMatchObject({ operator: "NotIn", values: expect.arrayContaining(["kube-system", "custody-production"]) });
    }
    expect(config.metadata.annotations["cert-manager.io/inject-ca-from"]).toBe("custody-production/custody-admission-tls");
  });

  it("tells Custody the same failure policy the API server applies", () => {
    const configMap = docs.find((d) => d.kind === "ConfigMap");
    for (const w of config.webhooks) expect(configMap?.data?.CUSTODY_ADMISSION_FAILURE_POLICY).toBe(w.failurePolicy);
  });

  it("terminates TLS in a sidecar of the same image, leaving the server as the first container", () => {
    const deployment = docs.find((d) => d.kind === "Deployment") as unknown as { spec: { template: { spec: { containers: { name: string; image: string; command?: string[] }[] } } } };
    const [server, sidecar] = deployment.spec.template.spec.containers;
    expect(server?.name).toBe("custody");
    expect(sidecar).toMatchObject({ name: "admission-tls", image: server?.image, command: ["node", "scripts/admission-tls.mjs"] });
  });
});

describe.skipIf(!hasOpenssl)("scripts/admission-tls.mjs", () => {
  it("forwards POST /api/v1/admission over TLS to the server and serves nothing else", async () => {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=custody-admission", "-keyout", path.join(tmp, "tls.key"), "-out", path.join(tmp, "tls.crt")], { stdio: "ignore" });
    const upstream = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url, body, auth: req.headers.authorization })));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as { port: number }).port;
    const tlsPort = 20000 + (process.pid % 20000);
    const proxy = spawn(process.execPath, [path.join(root, "scripts", "admission-tls.mjs")], {
      env: { ...process.env, PORT: String(upstreamPort), ADMISSION_TLS_PORT: String(tlsPort), ADMISSION_TLS_DIR: tmp },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve) => proxy.stdout?.once("data", () => resolve()));
      const send = (method: string, p: string, body = "") =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request({ host: "127.0.0.1", port: tlsPort, method, path: p, rejectUnauthorized: false, headers: { authorization: "Bearer t0ken", "content-type": "application/json" } }, (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.on("error", reject);
          req.end(body);
        });
      const ok = await send("POST", "/api/v1/admission", '{"kind":"AdmissionReview"}');
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.text)).toEqual({ path: "/api/v1/admission", body: '{"kind":"AdmissionReview"}', auth: "Bearer t0ken" });
      expect((await send("GET", "/api/v1/deployments")).status).toBe(404);
    } finally {
      proxy.kill("SIGTERM");
      upstream.close();
    }
  });
});
