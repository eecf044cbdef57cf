CREATE TABLE "snapshot_configs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"data_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshot_controllers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"service" text NOT NULL,
	"images" jsonb NOT NULL,
	"config_refs" jsonb NOT NULL,
	"managers" jsonb,
	"last_applied_images" jsonb
);
--> statement-breakpoint
CREATE TABLE "registry_tag_lists" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"repository" text NOT NULL,
	"tags" text[] NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"source_kind" text DEFAULT 'unknown' NOT NULL,
	"source_id" text DEFAULT '' NOT NULL,
	"source_verified" boolean DEFAULT false NOT NULL,
	"source_key" text DEFAULT '' NOT NULL,
	"source_keys" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "digest_inferred_from" text;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "digest_candidates" text[];--> statement-breakpoint
ALTER TABLE "cluster_audit_events" ADD COLUMN "impersonated_user" text;--> statement-breakpoint
ALTER TABLE "snapshot_configs" ADD CONSTRAINT "snapshot_configs_snapshot_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshot_controllers" ADD CONSTRAINT "snapshot_controllers_snapshot_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "snapshot_configs_snapshot_id_object_idx" ON "snapshot_configs" USING btree ("snapshot_id","namespace","kind","name");--> statement-breakpoint
CREATE INDEX "snapshot_controllers_snapshot_id_service_idx" ON "snapshot_controllers" USING btree ("snapshot_id","service");--> statement-breakpoint
CREATE UNIQUE INDEX "registry_tag_lists_source_key_external_id_key" ON "registry_tag_lists" USING btree ("source_key","external_id");--> statement-breakpoint
CREATE INDEX "registry_tag_lists_repository_observed_at_idx" ON "registry_tag_lists" USING btree ("repository","observed_at");