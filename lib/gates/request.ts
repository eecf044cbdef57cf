import { z } from "zod";
import { gates } from "../policy/rule-types";

const environmentName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be a lowercase environment name");

/** What a pipeline (or `custody assert`) asks: one gate, one environment, and at least one subject. */
export const decisionRequestSchema = z
  .strictObject({
    gate: z.enum(gates, { message: `must be one of ${gates.join(", ")}` }),
    environment: environmentName,
    service: z.string().trim().min(1).max(200).optional(),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be sha256: followed by 64 lowercase hex characters").optional(),
    commitSha: z.string().regex(/^[0-9a-f]{7,64}$/, "must be a hex commit SHA").optional(),
    pullRequest: z.string().regex(/^[\w.-]+(?:\/[\w.-]+){1,20}#\d+$/, "must look like owner/repo#123").optional(),
    /** The image reference as the manifest writes it; defaults to `repository@digest`. */
    imageRef: z.string().min(1).max(500).optional(),
    /** The pipeline run making the change (deploy.pipeline-actor reads it). */
    pipelineRun: z.strictObject({ provider: z.string().min(1).max(100), runId: z.string().min(1).max(200) }).optional(),
    /** The commit the manifests come from (deploy.manifest-from-vcs reads it). */
    manifestCommitSha: z.string().regex(/^[0-9a-f]{7,64}$/, "must be a hex commit SHA").optional(),
    actor: z.string().min(1).max(300).optional(),
    /** An emergency change let through with a reason and a named person (when the policy allows break glass). */
    breakGlass: z.strictObject({ reason: z.string().trim().min(10, "must say why, in at least 10 characters").max(2000), person: z.string().trim().min(1).max(300) }).optional(),
  })
  .refine((r) => r.digest !== undefined || r.commitSha !== undefined || r.pullRequest !== undefined, {
    message: "a subject is required: digest, commitSha or pullRequest",
    path: ["digest"],
  });

export type DecisionRequest = z.infer<typeof decisionRequestSchema>;
