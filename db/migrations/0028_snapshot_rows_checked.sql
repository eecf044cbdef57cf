-- A snapshot's workloads, controllers and configs must name a stored snapshot and its time. Since
-- 0027 a composite foreign key to the partitioned snapshots said so, checked row by row: each check
-- looks the snapshot up through the partitioned parent, ~46 us a row with ten years of months (125
-- partitions), 525 ms for one 10,000-pod snapshot's workloads against 64 ms without the key. The same
-- rule is now checked once per statement, on the distinct (snapshot, time) pairs it wrote
-- (transition tables, as ledger_events_keys does), and refused with the foreign-key error code.
-- Deleting a snapshot deletes its rows, as the keys' ON DELETE CASCADE did, in the trigger that
-- already frees its key.
ALTER TABLE "snapshot_workloads" DROP CONSTRAINT "snapshot_workloads_snapshot_id_fk";
--> statement-breakpoint
ALTER TABLE "snapshot_controllers" DROP CONSTRAINT "snapshot_controllers_snapshot_id_fk";
--> statement-breakpoint
ALTER TABLE "snapshot_configs" DROP CONSTRAINT "snapshot_configs_snapshot_id_fk";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION custody_snapshot_rows_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing record;
BEGIN
  SELECT n.snapshot_id, n.observed_at INTO missing
  FROM (SELECT DISTINCT snapshot_id, observed_at FROM new_rows) n
  WHERE NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.id = n.snapshot_id AND s.observed_at = n.observed_at)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "%" names snapshot % at %, which is not stored', TG_TABLE_NAME, missing.snapshot_id, missing.observed_at
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER snapshot_workloads_snapshot_stored AFTER INSERT ON snapshot_workloads REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION custody_snapshot_rows_check();
--> statement-breakpoint
CREATE TRIGGER snapshot_workloads_snapshot_stored_update AFTER UPDATE ON snapshot_workloads REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION custody_snapshot_rows_check();
--> statement-breakpoint
CREATE TRIGGER snapshot_controllers_snapshot_stored AFTER INSERT ON snapshot_controllers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION custody_snapshot_rows_check();
--> statement-breakpoint
CREATE TRIGGER snapshot_controllers_snapshot_stored_update AFTER UPDATE ON snapshot_controllers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION custody_snapshot_rows_check();
--> statement-breakpoint
CREATE TRIGGER snapshot_configs_snapshot_stored AFTER INSERT ON snapshot_configs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION custody_snapshot_rows_check();
--> statement-breakpoint
CREATE TRIGGER snapshot_configs_snapshot_stored_update AFTER UPDATE ON snapshot_configs REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION custody_snapshot_rows_check();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION custody_snapshot_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM snapshot_keys WHERE snapshot_id = OLD.id;
    DELETE FROM snapshot_workloads WHERE snapshot_id = OLD.id AND observed_at = OLD.observed_at;
    DELETE FROM snapshot_controllers WHERE snapshot_id = OLD.id AND observed_at = OLD.observed_at;
    DELETE FROM snapshot_configs WHERE snapshot_id = OLD.id AND observed_at = OLD.observed_at;
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
