CREATE TABLE "ledger_deliveries" (
	"source" text NOT NULL,
	"delivery_id" text NOT NULL,
	"seq" bigint NOT NULL,
	CONSTRAINT "ledger_deliveries_pkey" PRIMARY KEY("source","delivery_id")
);
--> statement-breakpoint
CREATE TABLE "ledger_webhook_bodies" (
	"source" text NOT NULL,
	"body_sha256" text NOT NULL,
	CONSTRAINT "ledger_webhook_bodies_pkey" PRIMARY KEY("source","body_sha256")
);
--> statement-breakpoint
-- The ledger's keys outside its partitions (issue #23). 0020 partitioned ledger_events by month, so
-- (source, delivery_id) lost its unique index (a unique index must hold the partition key) and the
-- duplicate checks probed every month: ~15 ms a check warm with 126 months, 150 ms on a new
-- connection. These two tables hold the keys once, unpartitioned: ledger_deliveries enforces a
-- delivery id's uniqueness for every writer again, ledger_webhook_bodies answers the webhook replay
-- check. A statement trigger fills both from each statement's new ledger rows, so no writer can
-- skip them. Archiving a month keeps its keys (a redelivery of an archived delivery is still a
-- duplicate); restoring it attaches a table, which fires no trigger and needs no keys.
INSERT INTO "ledger_deliveries" ("source", "delivery_id", "seq")
SELECT DISTINCT ON ("source", "delivery_id") "source", "delivery_id", "seq" FROM "ledger_events" ORDER BY "source", "delivery_id", "seq";
--> statement-breakpoint
INSERT INTO "ledger_webhook_bodies" ("source", "body_sha256")
SELECT DISTINCT "source", "body_sha256" FROM "ledger_events" WHERE "source" IN ('github', 'gitlab');
--> statement-breakpoint
CREATE OR REPLACE FUNCTION custody_ledger_keys() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  taken record;
BEGIN
  -- A restored month's entries are inserted again with the keys they left behind: the same key
  -- for the same entry is no conflict; any other holder of a delivery id is.
  INSERT INTO ledger_deliveries (source, delivery_id, seq) SELECT source, delivery_id, seq FROM new_entries ON CONFLICT DO NOTHING;
  SELECT n.source, n.delivery_id INTO taken FROM new_entries n JOIN ledger_deliveries k USING (source, delivery_id) WHERE k.seq <> n.seq LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'duplicate key value violates unique constraint "ledger_deliveries_pkey"'
      USING ERRCODE = 'unique_violation', DETAIL = format('Delivery id %s of source %s is already in the ledger.', taken.delivery_id, taken.source);
  END IF;
  INSERT INTO ledger_webhook_bodies (source, body_sha256)
    SELECT DISTINCT source, body_sha256 FROM new_entries WHERE source IN ('github', 'gitlab')
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ledger_events_keys AFTER INSERT ON ledger_events
  REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION custody_ledger_keys();
--> statement-breakpoint
CREATE TRIGGER ledger_deliveries_append_only BEFORE UPDATE OR DELETE ON ledger_deliveries
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_deliveries_no_truncate BEFORE TRUNCATE ON ledger_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_webhook_bodies_append_only BEFORE UPDATE OR DELETE ON ledger_webhook_bodies
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_webhook_bodies_no_truncate BEFORE TRUNCATE ON ledger_webhook_bodies
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    REVOKE UPDATE, DELETE, TRUNCATE ON ledger_deliveries, ledger_webhook_bodies FROM custody_runtime;
  END IF;
END $$;
