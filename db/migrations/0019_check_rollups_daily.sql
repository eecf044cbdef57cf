CREATE TABLE "check_rollups_daily" (
	"day" date NOT NULL,
	"environment" text NOT NULL,
	"rule_id" text NOT NULL,
	"passed" integer NOT NULL,
	"failed" integer NOT NULL,
	"missing" integer NOT NULL,
	CONSTRAINT "check_rollups_daily_pkey" PRIMARY KEY("day","environment","rule_id")
);

--> statement-breakpoint
-- Existing check results are rolled up once here; from now on the evaluator keeps the rows.
INSERT INTO "check_rollups_daily" ("day", "environment", "rule_id", "passed", "failed", "missing")
SELECT (d."deployed_at" AT TIME ZONE 'UTC')::date, d."environment", c."rule_id",
  count(*) FILTER (WHERE c."result" = 'pass'), count(*) FILTER (WHERE c."result" = 'fail'), count(*) FILTER (WHERE c."result" NOT IN ('pass', 'fail'))
FROM "check_results" c JOIN "deployments" d ON d."id" = c."deployment_id"
GROUP BY 1, 2, 3;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON "check_rollups_daily" TO custody_runtime;
  END IF;
END $$;
