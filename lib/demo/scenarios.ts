/** Deviations a planned change can carry; each one makes a control in CONTROLS.md fail. */
export type ChangeFlag =
  | "self-approval"
  | "stale-approval"
  | "manual-instructions"
  | "failed-check"
  | "skipped-check"
  | "local-build"
  | "latest-ref"
  | "tag-mismatch"
  | "no-manifest"
  | "human-deploy"
  | "author-deploys"
  | "skip-staging"
  | "rebuilt-for-production"
  | "emergency"
  | "no-backup"
  | "network-fail"
  | "no-rollback-test"
  | "rollback-test-failed"
  | "unpinned-base"
  | "single-stage"
  | "oversize"
  | "critical-vulns"
  | "secret-scan-fail";

/** Out-of-band changes to a running production workload, seen only in snapshots and audit logs. */
export type DriftKind = "hot-patch" | "manual-apply" | "config-edit" | "unrecorded-workload";

/**
 * When a scenario happens: a fraction of the period, or a number of days before its end. The
 * `final` ones keep their service quiet afterwards so the last snapshot still shows them.
 */
export type ScenarioTiming = { fraction: number } | { daysBeforeEnd: number };

type ScenarioBase = { id: string; title: string; ruleIds: readonly string[]; service: string };

export type DemoScenario = ScenarioBase &
  (
    | { kind: "change"; flags: readonly ChangeFlag[]; at: ScenarioTiming; final: boolean }
    | { kind: "drift"; drift: DriftKind; at: { daysBeforeEnd: number } }
    | { kind: "thin-registry"; builds: number }
    | { kind: "gitops"; gitops: GitopsDrift }
    | { kind: "manual-migration"; database: string; person: string }
    | { kind: "untagged-kept" }
  );

/** What Argo CD or Flux report about a production object at the end of the period (lib/demo/gitops.ts). */
export type GitopsDrift = "manual-sync" | "out-of-sync" | "suspended";

/** Which scenario in the demo data makes which rule fail, so every rule has something to show. */
export const demoScenarios: readonly DemoScenario[] = [
  { id: "self-approval", kind: "change", service: "checkout", flags: ["self-approval"], at: { fraction: 0.15 }, final: false,
    title: "The author approved their own pull request; nobody else reviewed it", ruleIds: ["merge.independent-approval"] },
  { id: "stale-approval", kind: "change", service: "payments", flags: ["stale-approval"], at: { fraction: 0.22 }, final: false,
    title: "A commit was pushed after the only approval", ruleIds: ["merge.approval-current"] },
  { id: "manual-instructions", kind: "change", service: "catalog", flags: ["manual-instructions"], at: { fraction: 0.3 }, final: false,
    title: "The pull request asks the deployer to run kubectl edit by hand", ruleIds: ["merge.no-manual-instructions"] },
  { id: "failed-check", kind: "change", service: "accounts", flags: ["failed-check"], at: { fraction: 0.35 }, final: false,
    title: "Merged with the required test check failing", ruleIds: ["merge.checks-passed"] },
  { id: "skipped-check", kind: "change", service: "gateway", flags: ["skipped-check"], at: { fraction: 0.4 }, final: false,
    title: "Merged with the required lint check skipped", ruleIds: ["merge.checks-passed"] },
  { id: "tag-mismatch", kind: "change", service: "checkout", flags: ["tag-mismatch"], at: { fraction: 0.45 }, final: false,
    title: "The deployed image was built from the branch head, not the merge commit", ruleIds: ["deploy.commit-matches"] },
  { id: "no-manifest", kind: "change", service: "payments", flags: ["no-manifest"], at: { fraction: 0.5 }, final: false,
    title: "Production deployment with no manifest commit", ruleIds: ["deploy.manifest-from-vcs"] },
  { id: "human-deploy", kind: "change", service: "catalog", flags: ["human-deploy"], at: { fraction: 0.55 }, final: false,
    title: "An engineer deployed to staging and production by hand", ruleIds: ["deploy.pipeline-actor"] },
  { id: "author-deploys", kind: "change", service: "accounts", flags: ["author-deploys"], at: { fraction: 0.6 }, final: false,
    title: "The pull request author deployed their own change to production", ruleIds: ["deploy.pipeline-actor"] },
  { id: "rebuilt-for-production", kind: "change", service: "gateway", flags: ["rebuilt-for-production"], at: { fraction: 0.65 }, final: false,
    title: "The image was rebuilt after staging; production got a digest staging never ran",
    ruleIds: ["prod.digest-matches-staging", "prod.staging-verified"] },
  { id: "emergency-before-approval", kind: "change", service: "payments", flags: ["emergency"], at: { fraction: 0.7 }, final: false,
    title: "Emergency change deployed to production before its approval arrived", ruleIds: ["prod.approved-before-deploy"] },
  { id: "no-backup", kind: "change", service: "checkout", flags: ["no-backup"], at: { fraction: 0.75 }, final: false,
    title: "Production deployment with no backup verification in the previous 24 hours", ruleIds: ["prod.backup-verified"] },
  { id: "network-check-failed", kind: "change", service: "gateway", flags: ["network-fail"], at: { fraction: 0.8 }, final: false,
    title: "Production deployment went ahead after a failed DNS/certificate check", ruleIds: ["prod.network-verified"] },
  { id: "no-rollback-test", kind: "change", service: "catalog", flags: ["no-rollback-test"], at: { fraction: 0.83 }, final: false,
    title: "Promoted to production without a rollback test in staging", ruleIds: ["deploy.rollback-ready"] },
  { id: "rollback-test-failed", kind: "change", service: "inventory", flags: ["rollback-test-failed"], at: { fraction: 0.6 }, final: false,
    title: "Promoted to production although its rollback test in staging failed", ruleIds: ["deploy.rollback-ready"] },
  { id: "unpinned-base", kind: "change", service: "accounts", flags: ["unpinned-base"], at: { fraction: 0.12 }, final: false,
    title: "Base image referenced by tag, not digest", ruleIds: ["image.base-pinned"] },
  { id: "single-stage", kind: "change", service: "cart", flags: ["single-stage"], at: { fraction: 0.2 }, final: false,
    title: "Single-stage build that ships the toolchain", ruleIds: ["image.multi-stage"] },
  { id: "oversize-image", kind: "change", service: "search", flags: ["oversize"], at: { fraction: 0.28 }, final: false,
    title: "A 2.9 GB image", ruleIds: ["image.size-limit"] },
  { id: "critical-vulnerabilities", kind: "change", service: "shipping", flags: ["critical-vulns"], at: { fraction: 0.33 }, final: false,
    title: "Image pushed with critical vulnerabilities in its scan", ruleIds: ["image.scanned"] },
  { id: "secret-in-image", kind: "change", service: "pricing", flags: ["secret-scan-fail"], at: { fraction: 0.42 }, final: false,
    title: "The secret scan of the image failed", ruleIds: ["image.no-baked-secrets"] },
  { id: "local-build", kind: "change", service: "shipping", flags: ["local-build"], at: { daysBeforeEnd: 6 }, final: true,
    title: "An image built on a laptop was deployed and still runs in production",
    ruleIds: ["deploy.built-by-ci", "drift.not-built-by-ci"] },
  { id: "latest-tag", kind: "change", service: "notifications", flags: ["latest-ref"], at: { daysBeforeEnd: 5 }, final: true,
    title: "Deployed and running as :latest", ruleIds: ["deploy.immutable-ref", "image.sha-tag", "drift.mutable-tag"] },
  { id: "skipped-staging", kind: "change", service: "search", flags: ["skip-staging"], at: { daysBeforeEnd: 5 }, final: true,
    title: "Promoted from development straight to production",
    ruleIds: ["prod.staging-verified", "drift.prod-differs-from-staging"] },
  { id: "hot-patch", kind: "drift", service: "inventory", drift: "hot-patch", at: { daysBeforeEnd: 2 },
    title: "Erin exec'd into a production pod, then kubectl-edited the image to an unrecorded digest",
    ruleIds: ["drift.unrecorded-digest", "drift.not-built-by-ci", "drift.exec-into-container"] },
  { id: "manual-apply", kind: "drift", service: "pricing", drift: "manual-apply", at: { daysBeforeEnd: 3 },
    title: "A hand-run kubectl apply changed the production workload", ruleIds: ["drift.manual-apply"] },
  { id: "config-edited", kind: "drift", service: "cart", drift: "config-edit", at: { daysBeforeEnd: 4 },
    title: "The production ConfigMap was edited in place (seen in the pods' config hash and in the ConfigMap's own hash)", ruleIds: ["drift.config-changed"] },
  { id: "unrecorded-workload", kind: "drift", service: "ledger-export", drift: "unrecorded-workload", at: { daysBeforeEnd: 3 },
    title: "Ivan created a CronJob in production with kubectl create; no deployment record made it", ruleIds: ["drift.unrecorded-workload"] },
  { id: "argocd-manual-sync", kind: "gitops", service: "payments", gitops: "manual-sync",
    title: "Frank synced the production Argo CD application by hand, with automated sync switched off",
    ruleIds: ["drift.gitops-manual-sync", "drift.gitops-self-heal-off"] },
  { id: "argocd-out-of-sync", kind: "gitops", service: "gateway", gitops: "out-of-sync",
    title: "Argo CD reports the production gateway OutOfSync with git", ruleIds: ["drift.gitops-out-of-sync"] },
  { id: "flux-suspended", kind: "gitops", service: "search", gitops: "suspended",
    title: "The Flux Kustomization of search's production configuration is suspended", ruleIds: ["drift.gitops-suspended"] },
  { id: "manual-migration", kind: "manual-migration", service: "accounts", database: "accounts", person: "dave",
    title: "Dave applied a Flyway migration to the production accounts database by hand; the pipeline recorded the others",
    ruleIds: ["drift.manual-migration"] },
  { id: "untagged-kept", kind: "untagged-kept", service: "catalog",
    title: "The catalog repository still holds untagged images weeks old: nobody prunes them weekly",
    ruleIds: ["drift.untagged-images-kept"] },
  { id: "rollback-gap", kind: "thin-registry", service: "reviews-svc", builds: 3,
    title: "Only three images ever built, fewer than the ten kept for rollback",
    ruleIds: ["drift.rollback-gap", "deploy.rollback-ready"] },
];
