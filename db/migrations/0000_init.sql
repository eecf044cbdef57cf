CREATE TABLE "environments" (
	"name" text PRIMARY KEY NOT NULL,
	"rank" integer NOT NULL,
	"is_production" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "services" (
	"name" text PRIMARY KEY NOT NULL,
	"repository" text,
	"image_repository" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"repository" text NOT NULL,
	"head_sha" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"conclusion" text,
	"completed_at" timestamp with time zone,
	"url" text,
	"source_updated_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "commits" (
	"sha" text PRIMARY KEY NOT NULL,
	"repository" text NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"author_name" text,
	"author_email" text,
	"author_login" text,
	"committer_login" text,
	"branch" text,
	"pushed_by" text,
	"committed_at" timestamp with time zone,
	"url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pipeline_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"run_id" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"repository" text,
	"workflow" text,
	"commit_sha" text,
	"branch" text,
	"event" text,
	"actor" text,
	"triggering_actor" text,
	"status" text NOT NULL,
	"conclusion" text,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"url" text,
	"source_updated_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pull_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"repository" text NOT NULL,
	"number" integer NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"author" text,
	"state" text DEFAULT 'open' NOT NULL,
	"merged" boolean DEFAULT false NOT NULL,
	"merged_at" timestamp with time zone,
	"merged_by" text,
	"merge_commit_sha" text,
	"head_sha" text,
	"base_ref" text,
	"url" text,
	"opened_at" timestamp with time zone,
	"source_updated_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"repository" text NOT NULL,
	"pull_number" integer NOT NULL,
	"reviewer" text NOT NULL,
	"state" text NOT NULL,
	"commit_sha" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "image_builds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"service" text,
	"repository" text NOT NULL,
	"digest" text NOT NULL,
	"tags" text[] DEFAULT '{}' NOT NULL,
	"commit_sha" text,
	"pipeline_provider" text,
	"pipeline_run_id" text,
	"builder" text,
	"base_images" jsonb,
	"stages" integer,
	"size_bytes" bigint,
	"scan" jsonb,
	"secret_scan" jsonb,
	"provenance" jsonb,
	"built_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"service" text NOT NULL,
	"environment" text NOT NULL,
	"image_ref" text NOT NULL,
	"digest" text,
	"manifest_commit_sha" text,
	"commit_sha" text,
	"pipeline_provider" text,
	"pipeline_run_id" text,
	"actor" text,
	"actor_type" text DEFAULT 'pipeline' NOT NULL,
	"change_type" text DEFAULT 'normal' NOT NULL,
	"description" text,
	"status" text DEFAULT 'success' NOT NULL,
	"deployed_at" timestamp with time zone NOT NULL,
	"source_updated_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cluster_audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"audit_id" text NOT NULL,
	"environment" text NOT NULL,
	"verb" text NOT NULL,
	"username" text NOT NULL,
	"resource" text,
	"subresource" text,
	"namespace" text,
	"name" text,
	"user_agent" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshot_workloads" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"service" text,
	"container" text NOT NULL,
	"image_ref" text NOT NULL,
	"digest" text,
	"config_hash" text,
	"managers" jsonb,
	"last_applied_by" text,
	"replicas" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"environment" text NOT NULL,
	"source" text DEFAULT 'kubernetes' NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"workload_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attestations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"type" text NOT NULL,
	"subject" text NOT NULL,
	"service" text,
	"environment" text,
	"result" text NOT NULL,
	"actor" text,
	"details" jsonb,
	"observed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"deployment_id" bigint NOT NULL,
	"rule_id" text NOT NULL,
	"result" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"policy_version" text NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"severity" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"subject_key" text NOT NULL,
	"environment" text,
	"service" text,
	"workload" text,
	"deployment_id" bigint,
	"actor" text,
	"summary" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "waivers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"subject_key" text NOT NULL,
	"justification" text NOT NULL,
	"approver" text NOT NULL,
	"created_by" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_findings" (
	"incident_id" bigint NOT NULL,
	"rule_id" text NOT NULL,
	"subject_key" text NOT NULL,
	CONSTRAINT "incident_findings_pkey" PRIMARY KEY("incident_id","rule_id","subject_key")
);
--> statement-breakpoint
CREATE TABLE "incident_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_id" bigint NOT NULL,
	"step" text NOT NULL,
	"notes" text NOT NULL,
	"evidence" jsonb,
	"done_by" text NOT NULL,
	"done_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"environment" text,
	"owner" text NOT NULL,
	"opened_by" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"captured_state" jsonb NOT NULL,
	"fix_deployment_key" text,
	"root_cause" text,
	"corrective_action" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_heads" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"event_type" text NOT NULL,
	"delivery_id" text NOT NULL,
	"content_type" text,
	"received_at" timestamp with time zone NOT NULL,
	"body" text NOT NULL,
	"body_sha256" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"status" text NOT NULL,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_by" text NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"user_id" bigint NOT NULL,
	"csrf_token" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"oidc_subject" text,
	"failed_sign_ins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"actor_type" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"outcome" text DEFAULT 'success' NOT NULL,
	"ip" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "snapshot_workloads" ADD CONSTRAINT "snapshot_workloads_snapshot_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_deployment_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_findings" ADD CONSTRAINT "incident_findings_incident_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_steps" ADD CONSTRAINT "incident_steps_incident_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "services_repository_idx" ON "services" USING btree ("repository");--> statement-breakpoint
CREATE UNIQUE INDEX "check_runs_external_id_key" ON "check_runs" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "check_runs_head_sha_idx" ON "check_runs" USING btree ("head_sha");--> statement-breakpoint
CREATE INDEX "commits_repository_committed_at_idx" ON "commits" USING btree ("repository","committed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "pipeline_runs_provider_run_id_attempt_key" ON "pipeline_runs" USING btree ("provider","run_id","attempt");--> statement-breakpoint
CREATE INDEX "pipeline_runs_run_id_idx" ON "pipeline_runs" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "pipeline_runs_commit_sha_idx" ON "pipeline_runs" USING btree ("commit_sha");--> statement-breakpoint
CREATE UNIQUE INDEX "pull_requests_repository_number_key" ON "pull_requests" USING btree ("repository","number");--> statement-breakpoint
CREATE INDEX "pull_requests_merge_commit_sha_idx" ON "pull_requests" USING btree ("merge_commit_sha");--> statement-breakpoint
CREATE INDEX "pull_requests_head_sha_idx" ON "pull_requests" USING btree ("head_sha");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_repository_external_id_key" ON "reviews" USING btree ("repository","external_id");--> statement-breakpoint
CREATE INDEX "reviews_repository_pull_number_idx" ON "reviews" USING btree ("repository","pull_number");--> statement-breakpoint
CREATE UNIQUE INDEX "image_builds_repository_digest_key" ON "image_builds" USING btree ("repository","digest");--> statement-breakpoint
CREATE INDEX "image_builds_digest_idx" ON "image_builds" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "image_builds_commit_sha_idx" ON "image_builds" USING btree ("commit_sha");--> statement-breakpoint
CREATE INDEX "image_builds_service_built_at_idx" ON "image_builds" USING btree ("service","built_at");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_external_id_key" ON "deployments" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "deployments_environment_deployed_at_idx" ON "deployments" USING btree ("environment","deployed_at");--> statement-breakpoint
CREATE INDEX "deployments_service_environment_deployed_at_idx" ON "deployments" USING btree ("service","environment","deployed_at");--> statement-breakpoint
CREATE INDEX "deployments_digest_idx" ON "deployments" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "deployments_commit_sha_idx" ON "deployments" USING btree ("commit_sha");--> statement-breakpoint
CREATE INDEX "deployments_deployed_at_idx" ON "deployments" USING btree ("deployed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cluster_audit_events_audit_id_key" ON "cluster_audit_events" USING btree ("audit_id");--> statement-breakpoint
CREATE INDEX "cluster_audit_events_environment_occurred_at_idx" ON "cluster_audit_events" USING btree ("environment","occurred_at");--> statement-breakpoint
CREATE INDEX "snapshot_workloads_snapshot_id_idx" ON "snapshot_workloads" USING btree ("snapshot_id");--> statement-breakpoint
CREATE INDEX "snapshot_workloads_digest_idx" ON "snapshot_workloads" USING btree ("digest");--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_external_id_key" ON "snapshots" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "snapshots_environment_observed_at_idx" ON "snapshots" USING btree ("environment","observed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "attestations_external_id_key" ON "attestations" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "attestations_subject_type_idx" ON "attestations" USING btree ("subject","type");--> statement-breakpoint
CREATE INDEX "attestations_type_environment_observed_at_idx" ON "attestations" USING btree ("type","environment","observed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "check_results_deployment_id_rule_id_key" ON "check_results" USING btree ("deployment_id","rule_id");--> statement-breakpoint
CREATE INDEX "check_results_rule_id_result_idx" ON "check_results" USING btree ("rule_id","result");--> statement-breakpoint
CREATE UNIQUE INDEX "findings_open_rule_subject_key" ON "findings" USING btree ("rule_id","subject_key") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "findings_status_rule_id_idx" ON "findings" USING btree ("status","rule_id");--> statement-breakpoint
CREATE INDEX "findings_environment_opened_at_idx" ON "findings" USING btree ("environment","opened_at");--> statement-breakpoint
CREATE INDEX "findings_deployment_id_idx" ON "findings" USING btree ("deployment_id");--> statement-breakpoint
CREATE INDEX "waivers_rule_id_subject_key_idx" ON "waivers" USING btree ("rule_id","subject_key");--> statement-breakpoint
CREATE INDEX "waivers_expires_at_idx" ON "waivers" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "incident_findings_rule_id_subject_key_idx" ON "incident_findings" USING btree ("rule_id","subject_key");--> statement-breakpoint
CREATE INDEX "incident_steps_incident_id_idx" ON "incident_steps" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incidents_status_opened_at_idx" ON "incidents" USING btree ("status","opened_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_events_source_delivery_id_key" ON "ledger_events" USING btree ("source","delivery_id");--> statement-breakpoint
CREATE INDEX "ledger_events_received_at_idx" ON "ledger_events" USING btree ("received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_name_idx" ON "api_tokens" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_hash_key" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_user_id_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "users_oidc_subject_key" ON "users" USING btree ("oidc_subject");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor");