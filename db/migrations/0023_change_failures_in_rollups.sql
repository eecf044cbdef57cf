ALTER TABLE "deployment_rollups_daily" ADD COLUMN "failed" integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Existing deployments' failed changes counted once here (lib/evaluation/rollups.ts defines them);
-- from now on the evaluator and the opening of an incident recount the days they touch.
UPDATE "deployment_rollups_daily" r SET "failed" = x."failed"
FROM (
  SELECT (d."deployed_at" AT TIME ZONE 'UTC')::date AS "day", d."environment", count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "environments" de WHERE de."name" = d."environment" AND de."is_production")
    AND (d."status" <> 'success' OR nx."change_type" = 'rollback'
      OR EXISTS (SELECT 1 FROM "incidents" i JOIN "environments" ie ON ie."name" = i."environment" AND ie."is_production"
        WHERE i."opened_at" >= d."deployed_at" AND i."opened_at" < coalesce(nx."deployed_at", d."deployed_at" + interval '7 days')))) AS "failed"
  FROM "deployments" d LEFT JOIN LATERAL (
    SELECT n."deployed_at", n."change_type" FROM "deployments" n
    WHERE n."service" = d."service" AND n."environment" = d."environment" AND n."deployed_at" >= d."deployed_at" AND (n."deployed_at" > d."deployed_at" OR n."id" > d."id")
    ORDER BY n."deployed_at", n."id" LIMIT 1) nx ON true
  GROUP BY 1, 2
) x
WHERE r."day" = x."day" AND r."environment" = x."environment";
