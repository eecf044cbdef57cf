-- The Merkle tree's nodes and the signed checkpoints are evidence like the ledger: never changed.
CREATE TRIGGER ledger_tree_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_tree_nodes
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_tree_nodes_no_truncate BEFORE TRUNCATE ON ledger_tree_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
  FOR EACH ROW EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION custody_refuse_change();
--> statement-breakpoint
-- The runtime role (README "Database roles"): the server logs in as a member of custody_runtime,
-- which owns nothing, so it cannot ALTER, DROP, TRUNCATE or disable triggers; it may only INSERT
-- and SELECT on the evidence tables. Migrations run as the owner, which creates this group role
-- when it may (CREATEROLE); otherwise the administrator creates it and runs the grants below.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    CREATE ROLE custody_runtime NOLOGIN;
  END IF;
EXCEPTION
  WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role custody_runtime here: create it as an administrator';
  WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'custody_runtime') THEN
    RETURN;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO custody_runtime', current_database());
  GRANT USAGE ON SCHEMA public TO custody_runtime;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO custody_runtime;
  REVOKE UPDATE, DELETE ON ledger_events, audit_log, ledger_tree_nodes, ledger_checkpoints FROM custody_runtime;
  GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO custody_runtime;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO custody_runtime;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO custody_runtime;
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'drizzle') THEN
    GRANT USAGE ON SCHEMA drizzle TO custody_runtime;
    GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO custody_runtime;
  END IF;
END $$;
