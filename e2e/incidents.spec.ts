import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { signIn, snapshot } from "./helpers";

type Observed = { namespace: string; kind: string; name: string; container: string; imageRef: string; digest: string | null };

/** An admin issues a token the way a CI system gets one: through the tokens page, shown once. */
async function issueToken(page: Page): Promise<string> {
  await signIn(page, "admin");
  await page.goto("/settings/tokens");
  await page.getByLabel("Name").fill(`e2e-fix-pipeline-${Date.now()}`);
  await page.getByLabel(/ingest/).check();
  await page.getByLabel(/read/).check();
  await page.getByRole("button", { name: "Issue token" }).click();
  const token = (await page.getByRole("status").locator("code").textContent()) ?? "";
  expect(token.length).toBeGreaterThan(20);
  await page.context().clearCookies();
  return token;
}

/**
 * The demo has no pipeline redeploy of inventory after Erin's hot patch, so the pipeline sends one
 * through the events API: the run, the CI-built image, the deployment, then the next snapshot.
 */
async function pipelineRedeploy(request: APIRequestContext, token: string): Promise<string> {
  const auth = { authorization: `Bearer ${token}` };
  const state = (await (await request.get("/api/v1/environments/production/state", { headers: auth })).json()) as { workloads: { service: string; observed: Observed[] }[] };
  const tag = Date.now().toString(16);
  const digest = `sha256:${tag.padStart(64, "f")}`;
  const sha = tag.padStart(40, "c");
  const image = `ghcr.io/acme/inventory@${digest}`;
  const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  const pipeline = { provider: "github-actions", runId: `e2e-${tag}` };
  const workloads = new Map<string, { namespace: string; kind: string; name: string; service: string; containers: { name: string; image: string; digest: string | null }[] }>();
  for (const w of state.workloads) {
    for (const o of w.observed) {
      const key = `${o.namespace}/${o.kind}/${o.name}`;
      const entry = workloads.get(key) ?? { namespace: o.namespace, kind: o.kind, name: o.name, service: w.service, containers: [] };
      entry.containers.push({ name: o.container, image: w.service === "inventory" ? image : o.imageRef, digest: w.service === "inventory" ? digest : o.digest });
      workloads.set(key, entry);
    }
  }
  const events = [
    { id: `e2e-${tag}-run`, type: "pipeline_run", occurredAt: at(-6), ...pipeline, repository: "acme/inventory", workflow: "deploy", commitSha: sha, status: "completed", conclusion: "success", actor: "github-actions[bot]" },
    { id: `e2e-${tag}-build`, type: "image_build", occurredAt: at(-5), repository: "ghcr.io/acme/inventory", digest, tags: [sha], service: "inventory", commitSha: sha, pipeline, builder: "github-actions", stages: 2 },
    { id: `e2e-${tag}-deploy`, type: "deployment", occurredAt: at(-3), service: "inventory", environment: "production", imageRef: image, digest, commitSha: sha, pipeline, actor: "github-actions[bot]", actorType: "pipeline", status: "success" },
    { id: `e2e-${tag}-snapshot`, type: "snapshot", occurredAt: at(-1), environment: "production", workloads: [...workloads.values()] },
  ];
  const res = await request.post("/api/v1/events", { headers: auth, data: { events } });
  expect(res.status()).toBe(202);
  return `e2e-${tag}-deploy`;
}

test("a manager opens an incident from the hot patch, links the pipeline fix, works the five steps, closes it and sees the time to restore", async ({ page, request }, testInfo) => {
  test.setTimeout(420_000);
  const token = await issueToken(page);
  await signIn(page, "manager");
  const found = (await (await page.request.get("/api/v1/findings?rule=drift.unrecorded-digest&status=open&environment=production")).json()) as { items: { id: number; service: string | null }[] };
  const hotPatch = found.items.find((f) => f.service === "inventory");
  expect(hotPatch).toBeDefined();
  await page.goto(`/findings/${hotPatch?.id}`);
  await page.getByRole("link", { name: "Open incident" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Open an incident" })).toBeVisible();
  await page.getByRole("button", { name: "Open incident" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^Incident \d+: / })).toBeVisible();
  const url = page.url();
  await expect(page.getByRole("table", { name: "Workloads at opening" }).getByRole("row", { name: /inventory/ })).toContainText("(differs)");
  await expect(page.getByRole("table", { name: /Changes before the incident/ })).toContainText("erin@acme.com");
  await snapshot(page, testInfo, "incident-opened");

  // Closing now names what is missing and changes nothing.
  await page.getByRole("button", { name: "Close incident" }).click();
  await expect(page.getByRole("form", { name: "Close the incident" }).getByRole("alert")).toContainText('step "identify" (Identify what was changed) is not recorded');

  const fixKey = await pipelineRedeploy(request, token);
  await page.goto(url);
  await page.getByRole("combobox", { name: "Fix deployment" }).selectOption(fixKey);
  await page.getByRole("button", { name: "Link fix deployment" }).click();
  await expect(page.getByRole("form", { name: "Link the fix deployment" }).getByRole("status")).toHaveText("Saved");
  const steps: [string, string][] = [
    ["identify", "kubectl edit by erin@acme.com set an unrecorded digest on inventory"],
    ["fix", "Redeployed the reviewed image through the deploy pipeline"],
    ["document", "Incident record and timeline written up in INC-7"],
    ["root-cause", "Erin's kubeconfig had write access to production"],
    ["corrective-action", "Production write access limited to the pipeline service account"],
  ];
  const stepForm = page.getByRole("form", { name: "Record a step" });
  for (const [step, notes] of steps) {
    await stepForm.getByLabel("Step").selectOption(step);
    await stepForm.getByLabel("Notes").fill(notes);
    await stepForm.getByRole("button", { name: "Record step" }).click();
    await expect(stepForm.getByRole("status")).toHaveText(`Step ${step} recorded`);
  }
  const cause = page.getByRole("form", { name: "Owner, root cause and corrective action" });
  await cause.getByLabel(/Root cause/).fill("A personal kubeconfig with production write access let a hot patch bypass the pipeline.");
  await cause.getByLabel(/Corrective action/).fill("Removed human write access to production; only the pipeline may patch deployments.");
  await cause.getByRole("button", { name: "Save" }).click();
  await expect(cause.getByRole("status")).toHaveText("Saved");

  await page.reload();
  await page.getByRole("button", { name: "Close incident" }).click();
  // A closed incident no longer offers the close form; the page re-renders with its closed state.
  await expect(page.getByRole("button", { name: "Close incident" })).toHaveCount(0);
  await page.reload();
  await expect(page.getByText("closed", { exact: true }).first()).toBeVisible();
  const facts = page.getByRole("definition").filter({ hasText: "from the first finding" });
  await expect(facts).toContainText(/\d+(\.\d)? (h|days) from the first finding/);
  await expect(page.getByRole("list").filter({ hasText: "Incident closed" })).toBeVisible();
  await snapshot(page, testInfo, "incident-closed");

  await page.goto("/incidents?status=closed");
  await expect(page.getByRole("table", { name: "Incidents, newest first" })).toContainText("Running digest has no deployment record");
});
