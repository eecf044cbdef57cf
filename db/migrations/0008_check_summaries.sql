CREATE TABLE "check_summaries" (
	"deployment_id" bigint PRIMARY KEY NOT NULL,
	"rules" jsonb NOT NULL,
	"results" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "check_summaries" ADD CONSTRAINT "check_summaries_deployment_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Deployments judged before this migration: their summaries from the stored check results.
INSERT INTO "check_summaries" ("deployment_id", "rules", "results")
SELECT "deployment_id", jsonb_agg("rule_id" ORDER BY "rule_id" COLLATE "C"), jsonb_agg("result" ORDER BY "rule_id" COLLATE "C")
FROM "check_results" GROUP BY "deployment_id";
