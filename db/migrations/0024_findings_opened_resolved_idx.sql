CREATE INDEX "findings_opened_at_idx" ON "findings" USING btree ("opened_at");--> statement-breakpoint
CREATE INDEX "findings_resolved_at_idx" ON "findings" USING btree ("resolved_at");