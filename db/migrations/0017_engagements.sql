CREATE TABLE "engagement_attachments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" bigint NOT NULL,
	"request_id" bigint NOT NULL,
	"engagement_id" bigint NOT NULL,
	"sha256" text NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement_auditors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"engagement_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"invitation_hash" text,
	"invitation_expires_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"invited_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement_population" (
	"engagement_id" bigint NOT NULL,
	"change_id" text NOT NULL,
	"row" jsonb NOT NULL,
	CONSTRAINT "engagement_population_pkey" PRIMARY KEY("engagement_id","change_id")
);
--> statement-breakpoint
CREATE TABLE "engagement_request_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"engagement_id" bigint NOT NULL,
	"change_id" text,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"raised_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement_samples" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"engagement_id" bigint NOT NULL,
	"draw_no" integer NOT NULL,
	"seed" text NOT NULL,
	"requested_size" integer NOT NULL,
	"size" integer NOT NULL,
	"method" text NOT NULL,
	"population_size" integer NOT NULL,
	"reason" text,
	"change_ids" text[] NOT NULL,
	"drawn_by" text NOT NULL,
	"drawn_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engagement_tests" (
	"engagement_id" bigint NOT NULL,
	"change_id" text NOT NULL,
	"result" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"marked_by" text NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "engagement_tests_pkey" PRIMARY KEY("engagement_id","change_id")
);
--> statement-breakpoint
CREATE TABLE "engagements" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"framework" text NOT NULL,
	"period_from" timestamp with time zone NOT NULL,
	"period_to" timestamp with time zone NOT NULL,
	"environments" text[] DEFAULT '{}' NOT NULL,
	"services" text[] DEFAULT '{}' NOT NULL,
	"scope_environments" text[] DEFAULT '{}' NOT NULL,
	"tree_size" bigint NOT NULL,
	"root_hash" text NOT NULL,
	"frozen_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"created_by" text NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text,
	"conclusion" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_blobs" (
	"sha256" text PRIMARY KEY NOT NULL,
	"bytes" integer NOT NULL,
	"content" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "access_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "engagement_attachments" ADD CONSTRAINT "engagement_attachments_message_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."engagement_request_messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_attachments" ADD CONSTRAINT "engagement_attachments_sha256_fk" FOREIGN KEY ("sha256") REFERENCES "public"."evidence_blobs"("sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_auditors" ADD CONSTRAINT "engagement_auditors_engagement_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_auditors" ADD CONSTRAINT "engagement_auditors_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_population" ADD CONSTRAINT "engagement_population_engagement_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_request_messages" ADD CONSTRAINT "engagement_request_messages_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."engagement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_requests" ADD CONSTRAINT "engagement_requests_engagement_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_samples" ADD CONSTRAINT "engagement_samples_engagement_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagement_tests" ADD CONSTRAINT "engagement_tests_engagement_id_fk" FOREIGN KEY ("engagement_id") REFERENCES "public"."engagements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "engagement_attachments_engagement_id_idx" ON "engagement_attachments" USING btree ("engagement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_auditors_user_id_key" ON "engagement_auditors" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_auditors_invitation_hash_key" ON "engagement_auditors" USING btree ("invitation_hash");--> statement-breakpoint
CREATE INDEX "engagement_auditors_engagement_id_idx" ON "engagement_auditors" USING btree ("engagement_id");--> statement-breakpoint
CREATE INDEX "engagement_request_messages_request_id_idx" ON "engagement_request_messages" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "engagement_requests_engagement_id_idx" ON "engagement_requests" USING btree ("engagement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "engagement_samples_engagement_id_draw_no_key" ON "engagement_samples" USING btree ("engagement_id","draw_no");--> statement-breakpoint
CREATE INDEX "engagements_state_idx" ON "engagements" USING btree ("state");--> statement-breakpoint
CREATE TRIGGER engagement_population_append_only BEFORE UPDATE OR DELETE ON engagement_population
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_population_no_truncate BEFORE TRUNCATE ON engagement_population
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_samples_append_only BEFORE UPDATE OR DELETE ON engagement_samples
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_samples_no_truncate BEFORE TRUNCATE ON engagement_samples
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_request_messages_append_only BEFORE UPDATE OR DELETE ON engagement_request_messages
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_request_messages_no_truncate BEFORE TRUNCATE ON engagement_request_messages
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER evidence_blobs_append_only BEFORE UPDATE OR DELETE ON evidence_blobs
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER evidence_blobs_no_truncate BEFORE TRUNCATE ON evidence_blobs
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_attachments_append_only BEFORE UPDATE OR DELETE ON engagement_attachments
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER engagement_attachments_no_truncate BEFORE TRUNCATE ON engagement_attachments
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
-- An engagement's frozen population, sample draws, request threads and attachments are evidence of
-- the audit itself: the runtime role may add to them, never change them (see 0011_runtime_role).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    REVOKE UPDATE, DELETE ON engagement_population, engagement_samples, engagement_request_messages, evidence_blobs, engagement_attachments FROM custody_runtime;
  END IF;
END $$;
