-- check_results partitioned by month (issue #23), like the ledger in 0020. The partition key is
-- the deployment's time, copied into `deployed_at`: old deployments' results can then be archived
-- with the ledger months (`custody archive --before`). deployments.deployed_at can move earlier
-- when a later delivery of the same deployment arrives (lib/projections/delivery.ts keeps the
-- least), so a trigger on deployments moves the deployment's results with it (a cross-partition
-- UPDATE). deployments.created_at never moves, but it is the time a row was projected, which a
-- rebuild or an import of old history sets to today: archiving by it would take nothing old.
-- The primary key must hold the partition key: (id, deployed_at); the evaluator's upsert target
-- becomes (deployment_id, rule_id, deployed_at), which is still one row per deployment and rule.
-- The table is not append-only (the evaluator updates results), so no refusing triggers.
ALTER TABLE "check_results" RENAME TO "check_results_before_0025";
--> statement-breakpoint
ALTER TABLE "check_results_before_0025" RENAME CONSTRAINT "check_results_pkey" TO "check_results_before_0025_pkey";
--> statement-breakpoint
ALTER TABLE "check_results_before_0025" RENAME CONSTRAINT "check_results_deployment_id_fk" TO "check_results_before_0025_deployment_id_fk";
--> statement-breakpoint
ALTER INDEX "check_results_deployment_id_rule_id_key" RENAME TO "check_results_before_0025_key";
--> statement-breakpoint
ALTER INDEX "check_results_rule_id_result_idx" RENAME TO "check_results_before_0025_rule_idx";
--> statement-breakpoint
ALTER SEQUENCE "check_results_id_seq" OWNED BY NONE;
--> statement-breakpoint
CREATE TABLE "check_results" (
	"id" bigint DEFAULT nextval('check_results_id_seq'::regclass) NOT NULL,
	"deployment_id" bigint NOT NULL,
	"deployed_at" timestamp with time zone NOT NULL,
	"rule_id" text NOT NULL,
	"result" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"policy_version" text NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "check_results_pkey" PRIMARY KEY("id","deployed_at")
) PARTITION BY RANGE ("deployed_at");
--> statement-breakpoint
ALTER SEQUENCE "check_results_id_seq" OWNED BY "check_results"."id";
--> statement-breakpoint
ALTER TABLE "check_results" ADD CONSTRAINT "check_results_deployment_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "check_results_deployment_id_rule_id_deployed_at_key" ON "check_results" USING btree ("deployment_id","rule_id","deployed_at");
--> statement-breakpoint
CREATE INDEX "check_results_rule_id_result_idx" ON "check_results" USING btree ("rule_id","result");
--> statement-breakpoint
-- 0020's month function and its ensure-ahead learn check_results. Its partitions get no refusing
-- TRUNCATE trigger (results are rewritten by the evaluator and cleared by a rebuild).
CREATE OR REPLACE FUNCTION custody_create_month_partition(tbl text, month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m date := date_trunc('month', month)::date;
  part text := format('%s_p%s', tbl, to_char(m, 'YYYY"m"MM'));
BEGIN
  IF tbl NOT IN ('ledger_events', 'audit_log', 'check_results') THEN
    RAISE EXCEPTION 'not a partitioned evidence table: %', tbl USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF to_regclass(part) IS NOT NULL OR EXISTS (SELECT 1 FROM chain_archives WHERE partition = part) THEN
    RETURN false;
  END IF;
  BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, tbl,
      to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00', to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
  EXCEPTION WHEN check_violation THEN
    RAISE NOTICE 'partition % not created: the default partition of % holds rows of that month', part, tbl;
    RETURN false;
  END;
  IF tbl = 'ledger_events' THEN
    BEGIN
      EXECUTE format('ALTER TABLE %I ALTER COLUMN body SET COMPRESSION lz4', part);
    EXCEPTION WHEN feature_not_supported THEN NULL;
    END;
  END IF;
  IF tbl <> 'check_results' THEN
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change()', part || '_no_truncate', part);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    EXECUTE format('REVOKE ALL ON %I FROM custody_runtime', part);
  END IF;
  RETURN true;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION custody_ensure_partitions(months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  created integer := 0;
  tbl text;
  i integer;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['ledger_events', 'audit_log', 'check_results'] LOOP
    FOR i IN 0..least(greatest(months_ahead, 0), 24) LOOP
      IF custody_create_month_partition(tbl, (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date) THEN
        created := created + 1;
      END IF;
    END LOOP;
  END LOOP;
  RETURN created;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION custody_create_month_partition(text, date) FROM PUBLIC;
--> statement-breakpoint
REVOKE ALL ON FUNCTION custody_ensure_partitions(integer) FROM PUBLIC;
--> statement-breakpoint
-- Every month from the oldest deployment's, then this one and three ahead.
SELECT custody_create_month_partition('check_results', m::date)
FROM (SELECT min(deployed_at) AS first FROM deployments) t,
LATERAL generate_series(date_trunc('month', coalesce(t.first, now()) AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month') m;
--> statement-breakpoint
CREATE TABLE "check_results_default" PARTITION OF "check_results" DEFAULT;
--> statement-breakpoint
INSERT INTO "check_results" ("id", "deployment_id", "deployed_at", "rule_id", "result", "evidence", "policy_version", "evaluated_at")
SELECT c."id", c."deployment_id", d."deployed_at", c."rule_id", c."result", c."evidence", c."policy_version", c."evaluated_at"
FROM "check_results_before_0025" c JOIN "deployments" d ON d."id" = c."deployment_id" ORDER BY c."id";
--> statement-breakpoint
DROP TABLE "check_results_before_0025";
--> statement-breakpoint
-- A deployment whose time moves (an earlier delivery of it arrives) takes its results along.
CREATE OR REPLACE FUNCTION custody_move_check_results() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE check_results SET deployed_at = NEW.deployed_at WHERE deployment_id = NEW.id AND deployed_at = OLD.deployed_at;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deployments_move_check_results AFTER UPDATE OF deployed_at ON deployments
  FOR EACH ROW WHEN (OLD.deployed_at IS DISTINCT FROM NEW.deployed_at) EXECUTE FUNCTION custody_move_check_results();
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    RETURN;
  END IF;
  GRANT SELECT, INSERT, UPDATE, DELETE ON check_results TO custody_runtime;
  GRANT USAGE, SELECT ON SEQUENCE check_results_id_seq TO custody_runtime;
  REVOKE ALL ON check_results_default FROM custody_runtime;
END $$;
