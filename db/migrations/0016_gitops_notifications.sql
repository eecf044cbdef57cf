CREATE TABLE "gitops_statuses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"environment" text NOT NULL,
	"tool" text NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"service" text,
	"revision" text,
	"sync_status" text,
	"health" text,
	"automated" boolean,
	"self_heal" boolean,
	"suspended" boolean,
	"last_sync_by" text,
	"last_sync_automated" boolean,
	"last_sync_at" timestamp with time zone,
	"images" jsonb,
	"reason" text,
	"severity" text,
	"message" text,
	"observed_at" timestamp with time zone NOT NULL,
	"source_kind" text DEFAULT 'unknown' NOT NULL,
	"source_id" text DEFAULT '' NOT NULL,
	"source_verified" boolean DEFAULT false NOT NULL,
	"source_key" text DEFAULT '' NOT NULL,
	"source_keys" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subscription_id" bigint NOT NULL,
	"message_id" text NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status" integer,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_subscriptions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"signing_secret" text,
	"topics" text[] NOT NULL,
	"min_severity" text DEFAULT 'low' NOT NULL,
	"environments" text[] DEFAULT '{}' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"failing_since" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"disabled_reason" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_subscription_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."notification_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "gitops_statuses_source_key_external_id_key" ON "gitops_statuses" USING btree ("source_key","external_id");--> statement-breakpoint
CREATE INDEX "gitops_statuses_object_observed_at_idx" ON "gitops_statuses" USING btree ("environment","tool","namespace","kind","name","observed_at");--> statement-breakpoint
CREATE INDEX "gitops_statuses_created_at_idx" ON "gitops_statuses" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_subscription_id_message_id_key" ON "notification_deliveries" USING btree ("subscription_id","message_id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_status_next_attempt_at_idx" ON "notification_deliveries" USING btree ("status","next_attempt_at");