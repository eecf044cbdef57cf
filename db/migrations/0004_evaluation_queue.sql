CREATE TABLE "evaluation_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"touched" jsonb NOT NULL,
	"enqueued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
