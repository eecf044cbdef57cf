CREATE TABLE "gate_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"decision_id" text NOT NULL,
	"gate" text NOT NULL,
	"environment" text NOT NULL,
	"service" text,
	"digest" text,
	"commit_sha" text,
	"pull_request" text,
	"decision" text NOT NULL,
	"checks" jsonb NOT NULL,
	"policy_version" text NOT NULL,
	"requested_by" text NOT NULL,
	"break_glass" jsonb,
	"ledger_seq" bigint NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "gate_decisions_decision_id_key" ON "gate_decisions" USING btree ("decision_id");--> statement-breakpoint
CREATE INDEX "gate_decisions_digest_environment_decided_at_idx" ON "gate_decisions" USING btree ("digest","environment","decided_at");--> statement-breakpoint
CREATE INDEX "gate_decisions_commit_sha_idx" ON "gate_decisions" USING btree ("commit_sha");