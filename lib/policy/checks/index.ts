import type { DeploymentRuleId } from "../catalogue";
import type { Check } from "../outcome";
import { deployBuiltByCi } from "./deploy-built-by-ci";
import { deployCommitMatches } from "./deploy-commit-matches";
import { deployImmutableRef } from "./deploy-immutable-ref";
import { deployManifestFromVcs } from "./deploy-manifest-from-vcs";
import { deployProvenanceCommitMatches } from "./deploy-provenance-commit-matches";
import { deployPipelineActor } from "./deploy-pipeline-actor";
import { deployRollbackReady } from "./deploy-rollback-ready";
import { imageBasePinned } from "./image-base-pinned";
import { imageMultiStage } from "./image-multi-stage";
import { imageNoBakedSecrets } from "./image-no-baked-secrets";
import { imageProvenanceVerified } from "./image-provenance-verified";
import { imageScanned } from "./image-scanned";
import { imageShaTag } from "./image-sha-tag";
import { imageSizeLimit } from "./image-size-limit";
import { mergeApprovalCurrent } from "./merge-approval-current";
import { mergeChecksPassed } from "./merge-checks-passed";
import { mergeIndependentApproval } from "./merge-independent-approval";
import { mergeNoManualInstructions } from "./merge-no-manual-instructions";
import { prodApprovedBeforeDeploy } from "./prod-approved-before-deploy";
import { prodBackupVerified } from "./prod-backup-verified";
import { prodDigestMatchesStaging } from "./prod-digest-matches-staging";
import { prodNetworkVerified } from "./prod-network-verified";
import { prodStagingVerified } from "./prod-staging-verified";

/** One check per gate and image rule; the type makes a catalogue rule without a check a compile error. */
export const checks: Record<DeploymentRuleId, Check> = {
  "merge.independent-approval": mergeIndependentApproval,
  "merge.approval-current": mergeApprovalCurrent,
  "merge.no-manual-instructions": mergeNoManualInstructions,
  "merge.checks-passed": mergeChecksPassed,
  "deploy.built-by-ci": deployBuiltByCi,
  "deploy.commit-matches": deployCommitMatches,
  "deploy.provenance-commit-matches": deployProvenanceCommitMatches,
  "deploy.immutable-ref": deployImmutableRef,
  "deploy.manifest-from-vcs": deployManifestFromVcs,
  "deploy.pipeline-actor": deployPipelineActor,
  "deploy.rollback-ready": deployRollbackReady,
  "prod.staging-verified": prodStagingVerified,
  "prod.digest-matches-staging": prodDigestMatchesStaging,
  "prod.network-verified": prodNetworkVerified,
  "prod.backup-verified": prodBackupVerified,
  "prod.approved-before-deploy": prodApprovedBeforeDeploy,
  "image.base-pinned": imageBasePinned,
  "image.multi-stage": imageMultiStage,
  "image.size-limit": imageSizeLimit,
  "image.scanned": imageScanned,
  "image.sha-tag": imageShaTag,
  "image.no-baked-secrets": imageNoBakedSecrets,
  "image.provenance-verified": imageProvenanceVerified,
};
