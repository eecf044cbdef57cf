CREATE TABLE "deployment_rollups_daily" (
	"day" date NOT NULL,
	"environment" text NOT NULL,
	"deployments" integer NOT NULL,
	"succeeded" integer NOT NULL,
	"lead_seconds" double precision[] NOT NULL,
	CONSTRAINT "deployment_rollups_daily_pkey" PRIMARY KEY("day","environment")
);
--> statement-breakpoint
ALTER TABLE "evaluation_queue" ADD COLUMN "done_shards" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Existing deployments are rolled up once here; from now on the evaluator keeps the rows.
INSERT INTO "deployment_rollups_daily" ("day", "environment", "deployments", "succeeded", "lead_seconds")
SELECT (d."deployed_at" AT TIME ZONE 'UTC')::date, d."environment", count(*), count(*) FILTER (WHERE d."status" = 'success'),
  coalesce(array_agg(extract(epoch FROM d."deployed_at" - c."committed_at")::double precision ORDER BY d."id")
    FILTER (WHERE d."status" = 'success' AND c."committed_at" IS NOT NULL), '{}')
FROM "deployments" d LEFT JOIN "commits" c ON c."sha" = d."commit_sha"
GROUP BY 1, 2;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON "deployment_rollups_daily" TO custody_runtime;
  END IF;
END $$;
