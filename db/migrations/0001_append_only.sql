-- The ledger and the audit log are evidence: once written, a row is never changed or removed.
CREATE OR REPLACE FUNCTION custody_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON ledger_events
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
INSERT INTO chain_heads (chain, seq, hash) VALUES ('ledger', 0, repeat('0', 64)), ('audit', 0, repeat('0', 64));
--> statement-breakpoint
INSERT INTO environments (name, rank, is_production) VALUES
  ('development', 0, false), ('staging', 1, false), ('production', 2, true);
