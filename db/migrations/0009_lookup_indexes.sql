DROP INDEX "waivers_rule_id_subject_key_idx";--> statement-breakpoint
CREATE INDEX "attestations_service_type_observed_at_idx" ON "attestations" USING btree ("service","type","observed_at");--> statement-breakpoint
CREATE INDEX "waivers_subject_key_rule_id_idx" ON "waivers" USING btree ("subject_key","rule_id");--> statement-breakpoint
CREATE INDEX "incidents_environment_opened_at_idx" ON "incidents" USING btree ("environment","opened_at");