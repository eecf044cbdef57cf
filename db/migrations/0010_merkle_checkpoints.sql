CREATE TABLE "ledger_checkpoints" (
	"tree_size" bigint PRIMARY KEY NOT NULL,
	"root_hash" text NOT NULL,
	"note" text NOT NULL,
	"key_id" text NOT NULL,
	"trigger" text NOT NULL,
	"signed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_tree_nodes" (
	"level" integer NOT NULL,
	"index" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "ledger_tree_nodes_pkey" PRIMARY KEY("level","index")
);
--> statement-breakpoint
ALTER TABLE "chain_heads" ADD COLUMN "frontier" text;--> statement-breakpoint
CREATE INDEX "ledger_checkpoints_signed_at_idx" ON "ledger_checkpoints" USING btree ("signed_at");