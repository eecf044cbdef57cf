CREATE TABLE "provenance_bundles" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"bundle_sha256" text NOT NULL,
	"digest" text,
	"external_id" text NOT NULL,
	"media_type" text,
	"bundle" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "provenance_verifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"bundle_sha256" text NOT NULL,
	"trust_fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"result" jsonb NOT NULL,
	"verified_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "provenance_bundles_external_id_key" ON "provenance_bundles" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "provenance_bundles_digest_idx" ON "provenance_bundles" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "provenance_bundles_bundle_sha256_idx" ON "provenance_bundles" USING btree ("bundle_sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "provenance_verifications_bundle_trust_key" ON "provenance_verifications" USING btree ("bundle_sha256","trust_fingerprint");