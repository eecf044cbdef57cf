-- The ledger and the audit log partitioned by month (issue #23): ten years of a large
-- organisation's evidence stay fast to append and read, and months wholly in the past can be
-- detached and archived as verifiable files (`custody archive`, lib/partitions/archive.ts).
-- Each table is rebuilt as a partitioned table with the same columns, indexes and append-only
-- triggers, every existing row copied into the partition of its month, in seq order; the primary
-- key must hold the partition key, so it is (seq, time). A delivery id's uniqueness was a unique
-- index, which cannot span partitions: it is checked under the ledger head's lock instead
-- (lib/ledger/ledger.ts existingDeliveries, already called by every writer), with a plain index.
CREATE TABLE "chain_archives" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "chain_archives_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"chain" text NOT NULL,
	"partition" text NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"to_at" timestamp with time zone NOT NULL,
	"entries" bigint NOT NULL,
	"first_seq" bigint NOT NULL,
	"last_seq" bigint NOT NULL,
	"last_hash" text NOT NULL,
	"frontier" text,
	"file_name" text NOT NULL,
	"file_sha256" text NOT NULL,
	"archived_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "chain_archives_chain_last_seq_idx" ON "chain_archives" USING btree ("chain","last_seq");
--> statement-breakpoint
CREATE TRIGGER chain_archives_append_only BEFORE UPDATE OR DELETE ON chain_archives
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER chain_archives_no_truncate BEFORE TRUNCATE ON chain_archives
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
ALTER TABLE "ledger_events" RENAME TO "ledger_events_before_0020";
--> statement-breakpoint
ALTER TABLE "ledger_events_before_0020" RENAME CONSTRAINT "ledger_events_pkey" TO "ledger_events_before_0020_pkey";
--> statement-breakpoint
ALTER INDEX "ledger_events_source_delivery_id_key" RENAME TO "ledger_events_before_0020_delivery_key";
--> statement-breakpoint
ALTER INDEX "ledger_events_received_at_idx" RENAME TO "ledger_events_before_0020_received_at_idx";
--> statement-breakpoint
ALTER INDEX "ledger_events_webhook_body_sha256_idx" RENAME TO "ledger_events_before_0020_body_idx";
--> statement-breakpoint
CREATE TABLE "ledger_events" (
	"seq" bigint NOT NULL,
	"source" text NOT NULL,
	"event_type" text NOT NULL,
	"delivery_id" text NOT NULL,
	"content_type" text,
	"received_at" timestamp with time zone NOT NULL,
	"body" text NOT NULL,
	"body_sha256" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"principal" text,
	"hash_version" smallint DEFAULT 1 NOT NULL,
	CONSTRAINT "ledger_events_pkey" PRIMARY KEY("seq","received_at")
) PARTITION BY RANGE ("received_at");
--> statement-breakpoint
CREATE INDEX "ledger_events_source_delivery_id_idx" ON "ledger_events" USING btree ("source","delivery_id");
--> statement-breakpoint
CREATE INDEX "ledger_events_received_at_idx" ON "ledger_events" USING btree ("received_at");
--> statement-breakpoint
CREATE INDEX "ledger_events_webhook_body_sha256_idx" ON "ledger_events" USING btree ("source","body_sha256") WHERE source in ('github', 'gitlab');
--> statement-breakpoint
-- Row triggers on a partitioned table are cloned onto every partition, present and future
-- (Postgres 13+); a statement's TRUNCATE trigger is not, so each partition gets its own below.
CREATE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON ledger_events
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
ALTER TABLE "audit_log" RENAME TO "audit_log_before_0020";
--> statement-breakpoint
ALTER TABLE "audit_log_before_0020" RENAME CONSTRAINT "audit_log_pkey" TO "audit_log_before_0020_pkey";
--> statement-breakpoint
ALTER INDEX "audit_log_at_idx" RENAME TO "audit_log_before_0020_at_idx";
--> statement-breakpoint
ALTER INDEX "audit_log_actor_idx" RENAME TO "audit_log_before_0020_actor_idx";
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"actor_type" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"outcome" text DEFAULT 'success' NOT NULL,
	"ip" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_log_pkey" PRIMARY KEY("seq","at")
) PARTITION BY RANGE ("at");
--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");
--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor");
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
-- One month's partition, `<table>_pYYYYmMM`, bounds in UTC. Runs as the owner (SECURITY DEFINER)
-- so the server, logged in as custody_runtime which owns nothing, can have next months created
-- (custody_ensure_partitions below) without being able to create or alter anything else. The new
-- partition gets its own TRUNCATE trigger, lz4 bodies where the server has lz4 (0007), and no
-- privilege for custody_runtime, which reads and appends through the parent only (0011's default
-- privileges would otherwise grant it UPDATE and DELETE on the partition itself). A month that
-- was archived is not created again; nor one whose rows already sit in the default partition
-- (a notice says so: `custody partitions` lists them).
CREATE OR REPLACE FUNCTION custody_create_month_partition(tbl text, month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m date := date_trunc('month', month)::date;
  part text := format('%s_p%s', tbl, to_char(m, 'YYYY"m"MM'));
BEGIN
  IF tbl NOT IN ('ledger_events', 'audit_log') THEN
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
  EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change()', part || '_no_truncate', part);
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    EXECUTE format('REVOKE ALL ON %I FROM custody_runtime', part);
  END IF;
  RETURN true;
END $$;
--> statement-breakpoint
-- The months from this one to `months_ahead` ahead (capped at 24), for both tables; returns how
-- many partitions it created. The server calls it at start and every hour (lib/partitions).
CREATE OR REPLACE FUNCTION custody_ensure_partitions(months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  created integer := 0;
  tbl text;
  i integer;
BEGIN
  FOREACH tbl IN ARRAY ARRAY['ledger_events', 'audit_log'] LOOP
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
-- Every month holding existing rows, then this one and three ahead.
SELECT custody_create_month_partition(t.tbl, m::date)
FROM (
  SELECT 'ledger_events' AS tbl, min(received_at) AS first FROM ledger_events_before_0020
  UNION ALL SELECT 'audit_log', min(at) FROM audit_log_before_0020
) t,
LATERAL generate_series(date_trunc('month', coalesce(t.first, now()) AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months', interval '1 month') m;
--> statement-breakpoint
-- Rows outside every month partition (a clock far ahead, a server off for months) land here
-- rather than being refused: evidence is never lost for want of a partition.
CREATE TABLE "ledger_events_default" PARTITION OF "ledger_events" DEFAULT;
--> statement-breakpoint
CREATE TABLE "audit_log_default" PARTITION OF "audit_log" DEFAULT;
--> statement-breakpoint
CREATE TRIGGER ledger_events_default_no_truncate BEFORE TRUNCATE ON ledger_events_default
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_default_no_truncate BEFORE TRUNCATE ON audit_log_default
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
DO $$
BEGIN
  ALTER TABLE "ledger_events_default" ALTER COLUMN "body" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $$;
--> statement-breakpoint
INSERT INTO "ledger_events" ("seq", "source", "event_type", "delivery_id", "content_type", "received_at", "body", "body_sha256", "prev_hash", "hash", "status", "reason", "principal", "hash_version")
SELECT "seq", "source", "event_type", "delivery_id", "content_type", "received_at", "body", "body_sha256", "prev_hash", "hash", "status", "reason", "principal", "hash_version"
FROM "ledger_events_before_0020" ORDER BY "seq";
--> statement-breakpoint
INSERT INTO "audit_log" ("seq", "at", "actor", "actor_type", "action", "target", "outcome", "ip", "details", "prev_hash", "hash")
SELECT "seq", "at", "actor", "actor_type", "action", "target", "outcome", "ip", "details", "prev_hash", "hash"
FROM "audit_log_before_0020" ORDER BY "seq";
--> statement-breakpoint
DROP TABLE "ledger_events_before_0020";
--> statement-breakpoint
DROP TABLE "audit_log_before_0020";
--> statement-breakpoint
-- The runtime role (0011): INSERT and SELECT on the evidence tables, nothing on their partitions;
-- it may ask for next months' partitions and nothing else.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    RETURN;
  END IF;
  REVOKE UPDATE, DELETE, TRUNCATE ON ledger_events, audit_log, chain_archives FROM custody_runtime;
  GRANT SELECT, INSERT ON ledger_events, audit_log, chain_archives TO custody_runtime;
  REVOKE ALL ON ledger_events_default, audit_log_default FROM custody_runtime;
  GRANT EXECUTE ON FUNCTION custody_ensure_partitions(integer) TO custody_runtime;
END $$;
