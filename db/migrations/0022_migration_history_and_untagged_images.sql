CREATE TABLE "migration_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"environment" text NOT NULL,
	"database" text NOT NULL,
	"tool" text NOT NULL,
	"migration_id" text NOT NULL,
	"checksum" text,
	"description" text,
	"applied_at" timestamp with time zone,
	"applied_by" text,
	"service" text,
	"pipeline_provider" text,
	"pipeline_run_id" text,
	"deployment_id" text,
	"recorded_at" timestamp with time zone NOT NULL,
	"source_kind" text DEFAULT 'unknown' NOT NULL,
	"source_id" text DEFAULT '' NOT NULL,
	"source_verified" boolean DEFAULT false NOT NULL,
	"source_key" text DEFAULT '' NOT NULL,
	"source_keys" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "migration_snapshots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"environment" text NOT NULL,
	"database" text NOT NULL,
	"tool" text NOT NULL,
	"migrations" jsonb NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"source_kind" text DEFAULT 'unknown' NOT NULL,
	"source_id" text DEFAULT '' NOT NULL,
	"source_verified" boolean DEFAULT false NOT NULL,
	"source_key" text DEFAULT '' NOT NULL,
	"source_keys" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registry_tag_lists" ADD COLUMN "untagged" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "migration_records_source_key_external_id_key" ON "migration_records" USING btree ("source_key","external_id");--> statement-breakpoint
CREATE INDEX "migration_records_database_migration_idx" ON "migration_records" USING btree ("environment","database","migration_id");--> statement-breakpoint
CREATE UNIQUE INDEX "migration_snapshots_source_key_external_id_key" ON "migration_snapshots" USING btree ("source_key","external_id");--> statement-breakpoint
CREATE INDEX "migration_snapshots_database_observed_at_idx" ON "migration_snapshots" USING btree ("environment","database","observed_at");