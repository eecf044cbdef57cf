CREATE TABLE "webhook_repositories" (
	"repository" text PRIMARY KEY NOT NULL,
	"source_kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "waiver_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rule_id" text NOT NULL,
	"subject_key" text NOT NULL,
	"justification" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"requested_by" text NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"waiver_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "reviews_repository_external_id_key";--> statement-breakpoint
DROP INDEX "snapshots_external_id_key";--> statement-breakpoint
DROP INDEX "attestations_external_id_key";--> statement-breakpoint
ALTER TABLE "check_runs" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "check_runs" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "check_runs" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "check_runs" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "check_runs" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "commits" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "pipeline_runs" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "pipeline_runs" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "pipeline_runs" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "pipeline_runs" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "pipeline_runs" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "pull_requests" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "pull_requests" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "pull_requests" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "pull_requests" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "pull_requests" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "image_builds" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "image_builds" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "image_builds" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "image_builds" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "image_builds" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "snapshots" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "source_kind" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "source_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "source_verified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "source_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "attestations" ADD COLUMN "source_keys" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "policy_version" text;--> statement-breakpoint
ALTER TABLE "ledger_events" ADD COLUMN "principal" text;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "event_types" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "repositories" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "environments" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "waiver_requests_subject_key_rule_id_idx" ON "waiver_requests" USING btree ("subject_key","rule_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_repository_source_key_external_id_key" ON "reviews" USING btree ("repository","source_key","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "snapshots_source_key_external_id_key" ON "snapshots" USING btree ("source_key","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "attestations_source_key_external_id_key" ON "attestations" USING btree ("source_key","external_id");--> statement-breakpoint
CREATE INDEX "ledger_events_webhook_body_sha256_idx" ON "ledger_events" USING btree ("source","body_sha256") WHERE source in ('github', 'gitlab');