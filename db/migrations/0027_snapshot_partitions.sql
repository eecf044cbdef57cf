-- Snapshots and their workloads, controllers and configs partitioned by month of the snapshot's
-- observed_at (issue #23), like the ledger (0020) and the check results (0025): a cluster sends a
-- snapshot every few minutes, each with thousands of rows, so these are the largest tables after the
-- ledger. The child tables carry the snapshot's observed_at and reference it by (snapshot_id,
-- observed_at), so a snapshot's rows are in its month's partitions and a reader that gives the time
-- reads one partition. The dedup unique index (source_key, external_id) cannot stay on the
-- partitioned table (a unique index must hold the partition key), so snapshot_keys holds it,
-- unpartitioned, filled by a BEFORE INSERT trigger that skips a row whose key is already held: what
-- `insert ... on conflict do nothing returning` did, for every writer. It also maps a snapshot's id
-- to its month. Snapshots are projections (rebuilt from the ledger), not append-only.
ALTER TABLE "snapshots" RENAME TO "snapshots_before_0027";
--> statement-breakpoint
ALTER INDEX "snapshots_pkey" RENAME TO "snapshots_before_0027_pkey";
--> statement-breakpoint
ALTER SEQUENCE "snapshots_id_seq" OWNED BY NONE;
--> statement-breakpoint
ALTER TABLE "snapshot_workloads" RENAME TO "snapshot_workloads_before_0027";
--> statement-breakpoint
ALTER INDEX "snapshot_workloads_pkey" RENAME TO "snapshot_workloads_before_0027_pkey";
--> statement-breakpoint
ALTER SEQUENCE "snapshot_workloads_id_seq" OWNED BY NONE;
--> statement-breakpoint
ALTER TABLE "snapshot_controllers" RENAME TO "snapshot_controllers_before_0027";
--> statement-breakpoint
ALTER INDEX "snapshot_controllers_pkey" RENAME TO "snapshot_controllers_before_0027_pkey";
--> statement-breakpoint
ALTER SEQUENCE "snapshot_controllers_id_seq" OWNED BY NONE;
--> statement-breakpoint
ALTER TABLE "snapshot_configs" RENAME TO "snapshot_configs_before_0027";
--> statement-breakpoint
ALTER INDEX "snapshot_configs_pkey" RENAME TO "snapshot_configs_before_0027_pkey";
--> statement-breakpoint
ALTER SEQUENCE "snapshot_configs_id_seq" OWNED BY NONE;
--> statement-breakpoint
ALTER INDEX "snapshots_source_key_external_id_key" RENAME TO "snapshots_before_0027_key";
--> statement-breakpoint
ALTER INDEX "snapshots_environment_observed_at_idx" RENAME TO "snapshots_before_0027_env_idx";
--> statement-breakpoint
ALTER INDEX "snapshot_workloads_snapshot_id_workload_idx" RENAME TO "snapshot_workloads_before_0027_snapshot_id_workload_idx";
--> statement-breakpoint
ALTER INDEX "snapshot_workloads_digest_idx" RENAME TO "snapshot_workloads_before_0027_digest_idx";
--> statement-breakpoint
ALTER INDEX "snapshot_controllers_snapshot_id_service_idx" RENAME TO "snapshot_controllers_before_0027_snapshot_id_service_idx";
--> statement-breakpoint
ALTER INDEX "snapshot_configs_snapshot_id_object_idx" RENAME TO "snapshot_configs_before_0027_snapshot_id_object_idx";
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" bigint DEFAULT nextval('snapshots_id_seq'::regclass) NOT NULL,
	"external_id" text NOT NULL,
	"environment" text NOT NULL,
	"source" text DEFAULT 'kubernetes' NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"workload_count" integer DEFAULT 0 NOT NULL,
	"source_kind" text DEFAULT 'unknown' NOT NULL,
	"source_id" text DEFAULT '' NOT NULL,
	"source_verified" boolean DEFAULT false NOT NULL,
	"source_key" text DEFAULT '' NOT NULL,
	"source_keys" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "snapshots_pkey" PRIMARY KEY("id","observed_at")
) PARTITION BY RANGE ("observed_at");
--> statement-breakpoint
ALTER SEQUENCE "snapshots_id_seq" OWNED BY "snapshots"."id";
--> statement-breakpoint
CREATE INDEX "snapshots_environment_observed_at_idx" ON "snapshots" USING btree ("environment","observed_at");
--> statement-breakpoint
CREATE TABLE "snapshot_keys" (
	"source_key" text NOT NULL,
	"external_id" text NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "snapshot_keys_pkey" PRIMARY KEY("source_key","external_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "snapshot_keys_snapshot_id_key" ON "snapshot_keys" USING btree ("snapshot_id");
--> statement-breakpoint
CREATE TABLE "snapshot_workloads" (
	"id" bigint DEFAULT nextval('snapshot_workloads_id_seq'::regclass) NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"service" text,
	"container" text NOT NULL,
	"image_ref" text NOT NULL,
	"digest" text,
	"config_hash" text,
	"managers" jsonb,
	"last_applied_by" text,
	"replicas" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "snapshot_workloads_pkey" PRIMARY KEY("id","observed_at")
) PARTITION BY RANGE ("observed_at");
--> statement-breakpoint
ALTER SEQUENCE "snapshot_workloads_id_seq" OWNED BY "snapshot_workloads"."id";
--> statement-breakpoint
ALTER TABLE "snapshot_workloads" ADD CONSTRAINT "snapshot_workloads_snapshot_id_fk" FOREIGN KEY ("snapshot_id","observed_at") REFERENCES "public"."snapshots"("id","observed_at") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "snapshot_workloads_snapshot_id_workload_idx" ON "snapshot_workloads" USING btree ("snapshot_id","namespace","kind","name","container");
--> statement-breakpoint
CREATE INDEX "snapshot_workloads_digest_idx" ON "snapshot_workloads" USING btree ("digest");
--> statement-breakpoint
CREATE TABLE "snapshot_controllers" (
	"id" bigint DEFAULT nextval('snapshot_controllers_id_seq'::regclass) NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"service" text NOT NULL,
	"images" jsonb NOT NULL,
	"config_refs" jsonb NOT NULL,
	"managers" jsonb,
	"last_applied_images" jsonb,
	CONSTRAINT "snapshot_controllers_pkey" PRIMARY KEY("id","observed_at")
) PARTITION BY RANGE ("observed_at");
--> statement-breakpoint
ALTER SEQUENCE "snapshot_controllers_id_seq" OWNED BY "snapshot_controllers"."id";
--> statement-breakpoint
ALTER TABLE "snapshot_controllers" ADD CONSTRAINT "snapshot_controllers_snapshot_id_fk" FOREIGN KEY ("snapshot_id","observed_at") REFERENCES "public"."snapshots"("id","observed_at") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "snapshot_controllers_snapshot_id_service_idx" ON "snapshot_controllers" USING btree ("snapshot_id","service");
--> statement-breakpoint
CREATE TABLE "snapshot_configs" (
	"id" bigint DEFAULT nextval('snapshot_configs_id_seq'::regclass) NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"namespace" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"data_hash" text NOT NULL,
	CONSTRAINT "snapshot_configs_pkey" PRIMARY KEY("id","observed_at")
) PARTITION BY RANGE ("observed_at");
--> statement-breakpoint
ALTER SEQUENCE "snapshot_configs_id_seq" OWNED BY "snapshot_configs"."id";
--> statement-breakpoint
ALTER TABLE "snapshot_configs" ADD CONSTRAINT "snapshot_configs_snapshot_id_fk" FOREIGN KEY ("snapshot_id","observed_at") REFERENCES "public"."snapshots"("id","observed_at") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "snapshot_configs_snapshot_id_object_idx" ON "snapshot_configs" USING btree ("snapshot_id","namespace","kind","name");
--> statement-breakpoint
-- A snapshot is stored once per sender and id: the key goes in first; a key already held skips the
-- row, so `insert ... returning` returns only the snapshots that are new, as before. Deleting a
-- snapshot frees its key.
CREATE OR REPLACE FUNCTION custody_snapshot_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM snapshot_keys WHERE snapshot_id = OLD.id;
    RETURN NULL;
  END IF;
  INSERT INTO snapshot_keys (source_key, external_id, snapshot_id, observed_at)
    VALUES (NEW.source_key, NEW.external_id, NEW.id, NEW.observed_at)
    ON CONFLICT (source_key, external_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER snapshots_key BEFORE INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION custody_snapshot_key();
--> statement-breakpoint
CREATE TRIGGER snapshots_key_freed AFTER DELETE ON snapshots FOR EACH ROW EXECUTE FUNCTION custody_snapshot_key();
--> statement-breakpoint
-- 0025's month function and its ensure-ahead learn the snapshot tables. Their partitions get no
-- refusing TRUNCATE trigger (a rebuild clears them).
CREATE OR REPLACE FUNCTION custody_create_month_partition(tbl text, month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m date := date_trunc('month', month)::date;
  part text := format('%s_p%s', tbl, to_char(m, 'YYYY"m"MM'));
BEGIN
  IF tbl NOT IN ('ledger_events', 'audit_log', 'check_results', 'snapshots', 'snapshot_workloads', 'snapshot_controllers', 'snapshot_configs') THEN
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
  IF tbl IN ('ledger_events', 'audit_log') THEN
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
  FOREACH tbl IN ARRAY ARRAY['ledger_events', 'audit_log', 'check_results', 'snapshots', 'snapshot_workloads', 'snapshot_controllers', 'snapshot_configs'] LOOP
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
-- Every month from the oldest snapshot's, then this one and three ahead; a default partition each
-- for observations outside them.
SELECT custody_create_month_partition(tbl, m::date)
FROM (SELECT min(observed_at) AS first FROM snapshots_before_0027) t,
LATERAL generate_series(date_trunc('month', coalesce(t.first, now()) AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month') m,
unnest(ARRAY['snapshots', 'snapshot_workloads', 'snapshot_controllers', 'snapshot_configs']) tbl;
--> statement-breakpoint
CREATE TABLE "snapshots_default" PARTITION OF "snapshots" DEFAULT;
--> statement-breakpoint
CREATE TABLE "snapshot_workloads_default" PARTITION OF "snapshot_workloads" DEFAULT;
--> statement-breakpoint
CREATE TABLE "snapshot_controllers_default" PARTITION OF "snapshot_controllers" DEFAULT;
--> statement-breakpoint
CREATE TABLE "snapshot_configs_default" PARTITION OF "snapshot_configs" DEFAULT;
--> statement-breakpoint
INSERT INTO "snapshots" ("id", "external_id", "environment", "source", "observed_at", "workload_count", "source_kind", "source_id", "source_verified", "source_key", "source_keys", "created_at")
SELECT "id", "external_id", "environment", "source", "observed_at", "workload_count", "source_kind", "source_id", "source_verified", "source_key", "source_keys", "created_at"
FROM "snapshots_before_0027" ORDER BY "id";
--> statement-breakpoint
INSERT INTO "snapshot_workloads" ("id", "observed_at", "snapshot_id", "namespace", "kind", "name", "service", "container", "image_ref", "digest", "config_hash", "managers", "last_applied_by", "replicas")
SELECT c."id", s."observed_at", c."snapshot_id", c."namespace", c."kind", c."name", c."service", c."container", c."image_ref", c."digest", c."config_hash", c."managers", c."last_applied_by", c."replicas"
FROM "snapshot_workloads_before_0027" c JOIN "snapshots_before_0027" s ON s."id" = c."snapshot_id" ORDER BY c."id";
--> statement-breakpoint
INSERT INTO "snapshot_controllers" ("id", "observed_at", "snapshot_id", "namespace", "kind", "name", "service", "images", "config_refs", "managers", "last_applied_images")
SELECT c."id", s."observed_at", c."snapshot_id", c."namespace", c."kind", c."name", c."service", c."images", c."config_refs", c."managers", c."last_applied_images"
FROM "snapshot_controllers_before_0027" c JOIN "snapshots_before_0027" s ON s."id" = c."snapshot_id" ORDER BY c."id";
--> statement-breakpoint
INSERT INTO "snapshot_configs" ("id", "observed_at", "snapshot_id", "namespace", "kind", "name", "data_hash")
SELECT c."id", s."observed_at", c."snapshot_id", c."namespace", c."kind", c."name", c."data_hash"
FROM "snapshot_configs_before_0027" c JOIN "snapshots_before_0027" s ON s."id" = c."snapshot_id" ORDER BY c."id";
--> statement-breakpoint
DROP TABLE "snapshot_workloads_before_0027";
--> statement-breakpoint
DROP TABLE "snapshot_controllers_before_0027";
--> statement-breakpoint
DROP TABLE "snapshot_configs_before_0027";
--> statement-breakpoint
DROP TABLE "snapshots_before_0027";
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    RETURN;
  END IF;
  GRANT SELECT, INSERT, UPDATE, DELETE ON snapshots, snapshot_keys, snapshot_workloads, snapshot_controllers, snapshot_configs TO custody_runtime;
  GRANT USAGE, SELECT ON SEQUENCE snapshots_id_seq, snapshot_workloads_id_seq, snapshot_controllers_id_seq, snapshot_configs_id_seq TO custody_runtime;
  REVOKE ALL ON snapshots_default, snapshot_workloads_default, snapshot_controllers_default, snapshot_configs_default FROM custody_runtime;
END $$;
