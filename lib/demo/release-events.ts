import type { EventOf } from "@/lib/events/schema";
import {
  DEMO_SERVICES, LOCAL_BUILDER, MANIFEST_REPOSITORY, PIPELINE_BOT, STACKS, forgeOf, imageRepositoryOf, pipelineProviderOf, repositoryOf, runUrlOf, webUrlOf,
  type DemoEnvironment, type Engineer,
} from "./catalog";
import { iso, type ChangeSource, type Emit } from "./change-events";
import { DemoIds } from "./ids";
import { MINUTE, type PlannedChange } from "./plan";

export type ReleaseEvent = EventOf<"image_build" | "deployment" | "attestation" | "commit" | "pipeline_run">;
type Build = EventOf<"image_build">;

const MB = 1024 * 1024;

function imageBuild({ ids, rng }: Emit, change: PlannedChange, source: ChangeSource, at: number, attempt: number): Build {
  const { flags, service } = change;
  const stack = STACKS[DEMO_SERVICES.find((s) => s.name === service)?.stack ?? "node"];
  const local = flags.has("local-build");
  const commitSha = flags.has("tag-mismatch") ? source.headSha : source.mergeSha;
  const pin = (ref: string) => (flags.has("unpinned-base") ? { ref, digest: null } : { ref: `${ref}@${DemoIds.baseDigest(ref)}`, digest: DemoIds.baseDigest(ref) });
  const baseImages = flags.has("single-stage") ? [pin(stack.builder)] : [pin(stack.builder), pin(stack.runtime)];
  const sizeBytes = flags.has("oversize") ? 2_900 * MB + rng.int(0, 50 * MB) : rng.int(stack.sizeMb[0] * MB, stack.sizeMb[1] * MB);
  const pipeline = { provider: pipelineProviderOf(service), runId: source.ciRunId };
  return {
    id: ids.event("image_build"), type: "image_build", occurredAt: iso(at), repository: imageRepositoryOf(service), digest: ids.digest(),
    tags: flags.has("latest-ref") ? [commitSha, "latest"] : [commitSha], service, commitSha,
    ...(local ? { builder: LOCAL_BUILDER } : { builder: forgeOf(service) === "gitlab" ? "gitlab-ci" : "github-actions", pipeline }),
    baseImages, stages: flags.has("single-stage") ? 1 : rng.int(2, 3), sizeBytes,
    ...(local ? {} : {
      scan: {
        scanner: "trivy",
        counts: flags.has("critical-vulns") ? { critical: 2, high: 5, medium: 9, low: 14 } : { critical: 0, high: 0, medium: rng.int(0, 6), low: rng.int(0, 20) },
        scannedAt: iso(at - MINUTE),
      },
      provenance: {
        builder: { id: forgeOf(service) === "gitlab" ? `${webUrlOf(service)}/-/blob/main/.gitlab-ci.yml` : `https://github.com/${repositoryOf(service)}/.github/workflows/ci.yml@refs/heads/main` },
        buildType: forgeOf(service) === "gitlab" ? "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v16/PROVENANCE.md" : "https://actions.github.io/buildtypes/workflow/v1",
        runId: source.ciRunId, runAttempt: attempt, sourceRepository: repositoryOf(service),
      },
    }),
    secretScan: { passed: !flags.has("secret-scan-fail"), scanner: "gitleaks" },
  };
}

/** Last digest each service ran per environment, so rollback tests can name what they rolled back to. */
export type RunningDigests = Map<string, string>;

type StageInput = { environment: DemoEnvironment; at: number; build: Build; deployer: Engineer | null; withManifest: boolean };

/** The image build(s), the deployment to each environment and the attestations around them. */
export function emitRelease(emit: Emit, change: PlannedChange, source: ChangeSource, running: RunningDigests): ReleaseEvent[] {
  const { ids, rng } = emit;
  const { t, flags, service } = change;
  const events: ReleaseEvent[] = [];
  const build = imageBuild(emit, change, source, t.built, 1);
  events.push(build);
  const tag = build.tags[0] ?? source.mergeSha;
  const emergency = flags.has("emergency");

  const attest = (attestationType: string, at: number, subject: string, environment: DemoEnvironment, pass: boolean, details: Record<string, unknown>) =>
    events.push({
      id: ids.event("attestation"), type: "attestation", occurredAt: iso(at), attestationType, subject, service, environment,
      result: pass ? "pass" : "fail", actor: PIPELINE_BOT, details,
    });

  const deploy = ({ environment, at, build: image, deployer, withManifest }: StageInput) => {
    const imageRef = flags.has("latest-ref")
      ? `${image.repository}:latest`
      : environment === "production" ? `${image.repository}@${image.digest}` : `${image.repository}:${tag}`;
    let manifestCommitSha: string | undefined;
    if (withManifest) {
      manifestCommitSha = ids.commitSha();
      const who = deployer ? { name: deployer.name, email: deployer.email, login: deployer.login } : { name: PIPELINE_BOT, login: PIPELINE_BOT };
      events.push({
        id: ids.event("commit"), type: "commit", occurredAt: iso(at - MINUTE), repository: MANIFEST_REPOSITORY, sha: manifestCommitSha,
        message: `deploy(${service}): ${environment} -> ${tag.slice(0, 12)}`, author: who, committerLogin: who.login, branch: "main",
        pushedBy: who.login, url: `https://github.com/${MANIFEST_REPOSITORY}/commit/${manifestCommitSha}`,
      });
    }
    let pipeline: { provider: string; runId: string } | undefined;
    if (!deployer) {
      const runId = ids.numeric("run");
      pipeline = { provider: pipelineProviderOf(service), runId };
      events.push({
        id: ids.event("pipeline_run"), type: "pipeline_run", occurredAt: iso(at + MINUTE), provider: pipelineProviderOf(service), runId, attempt: 1,
        repository: repositoryOf(service), workflow: `deploy-${environment}`, commitSha: source.mergeSha, branch: "main",
        event: "workflow_run", actor: PIPELINE_BOT, triggeringActor: change.author.login, status: "completed", conclusion: "success",
        startedAt: iso(at - 2 * MINUTE), completedAt: iso(at + MINUTE), url: runUrlOf(service, runId),
      });
    }
    events.push({
      id: ids.event("deployment"), type: "deployment", occurredAt: iso(at), service, environment, imageRef, digest: image.digest,
      ...(manifestCommitSha ? { manifestCommitSha } : {}), commitSha: source.mergeSha, ...(pipeline ? { pipeline } : {}),
      actor: deployer?.login ?? PIPELINE_BOT, actorType: deployer ? "human" : "pipeline", changeType: emergency ? "emergency" : "normal",
      description: `${emergency ? "EMERGENCY: " : ""}${change.title} (#${source.prNumber})`, status: "success",
    });
    running.set(`${environment}/${service}`, image.digest);
  };

  deploy({ environment: "development", at: t.development, build, deployer: null, withManifest: true });
  if (t.staging !== null) {
    const previous = running.get(`staging/${service}`) ?? null;
    deploy({ environment: "staging", at: t.staging, build, deployer: change.stagingDeployer, withManifest: true });
    if (t.verified !== null) {
      attest("staging-verification", t.verified, build.digest, "staging", change.verificationPassed, {
        suite: "smoke+e2e", tests: rng.int(140, 320), durationSeconds: rng.int(240, 900),
      });
    }
    if (t.rollbackTest !== null) {
      const ok = !flags.has("rollback-test-failed");
      attest("rollback-test", t.rollbackTest, build.digest, "staging", ok, {
        rolledBackTo: previous, ...(ok ? { recoverySeconds: rng.int(40, 180) } : { error: "previous ReplicaSet failed readiness after rollback" }),
      });
    }
  }
  let shipped = build;
  if (t.rebuilt !== null) {
    // A re-run of the same workflow: the build is not reproducible, so the digest changes.
    const repository = repositoryOf(service);
    events.push({
      id: ids.event("pipeline_run"), type: "pipeline_run", occurredAt: iso(t.rebuilt + MINUTE), provider: pipelineProviderOf(service), runId: source.ciRunId,
      attempt: 2, repository, workflow: "ci", commitSha: source.mergeSha, branch: "main", event: "push", actor: change.author.login,
      triggeringActor: change.author.login, status: "completed", conclusion: "success", startedAt: iso(t.rebuilt - 7 * MINUTE),
      completedAt: iso(t.rebuilt + MINUTE), url: forgeOf(service) === "gitlab" ? runUrlOf(service, source.ciRunId) : `https://github.com/${repository}/actions/runs/${source.ciRunId}/attempts/2`,
    });
    shipped = imageBuild(emit, change, source, t.rebuilt, 2);
    events.push(shipped);
  }
  if (t.production !== null) {
    if (t.backup !== null) {
      attest("backup-verification", t.backup, service, "production", true, { backup: `${service}-db-${iso(t.backup).slice(0, 10)}`, restoreSeconds: rng.int(60, 600) });
    }
    if (t.network !== null) {
      const ok = !flags.has("network-fail");
      attest("network-check", t.network, shipped.digest, "production", ok, {
        dns: "ok", certificate: ok ? `valid for ${rng.int(20, 80)} days` : "chain incomplete: intermediate expired", endpoints: [`${service}.shop.svc`, `${service}.acme.com`],
      });
    }
    deploy({ environment: "production", at: t.production, build: shipped, deployer: change.productionDeployer, withManifest: !flags.has("no-manifest") });
  }
  return events;
}
