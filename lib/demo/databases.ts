import { createHash } from "node:crypto";
import type { CustodyEvent, EventOf } from "@/lib/events/schema";
import { imageRepositoryOf } from "./catalog";
import { iso, type Emit } from "./change-events";
import { DAY, HOUR, MINUTE, type Period } from "./plan";
import { demoScenarios } from "./scenarios";

type Out = EventOf<"migration"> | EventOf<"migration_snapshot"> | EventOf<"registry_tags">;

/** Flyway's checksum is a signed 32-bit CRC; a stable stand-in per script name. */
const flywayChecksum = (script: string): string => String(createHash("sha256").update(script).digest().readInt32BE(0));

/**
 * What databases and registries report at the end of the period, beside the cluster's snapshots:
 * the Flyway history of each `manual-migration` scenario's production database (the pipeline
 * recorded one migration per production release of the service, then someone applied one more by
 * hand), and for each `untagged-kept` scenario the service's GitHub Packages listing, which still
 * holds untagged images weeks old.
 */
export function emitDatabasesAndRegistries({ ids }: Emit, period: Period, events: readonly CustodyEvent[]): Out[] {
  const out: Out[] = [];
  for (const scenario of demoScenarios) {
    if (scenario.kind === "manual-migration") {
      const { service, database } = scenario;
      const releases = events.filter((e): e is EventOf<"deployment"> => e.type === "deployment" && e.service === service && e.environment === "production" && e.status === "success").slice(-4);
      const rows: EventOf<"migration_snapshot">["migrations"] = [];
      releases.forEach((d, i) => {
        const script = `V${i + 1}__${["create_accounts", "add_account_status", "add_email_index", "add_locale"][i]}.sql`;
        const migration = {
          id: String(i + 1),
          checksum: flywayChecksum(script),
          description: script.slice(4, -4).replace(/_/g, " "),
          script,
          appliedAt: iso(Date.parse(d.occurredAt) - 2 * MINUTE),
          appliedBy: `${service}_migrator`,
          success: true,
        };
        rows.push(migration);
        if (!d.pipeline) return;
        out.push({
          id: ids.event("migration"), type: "migration", occurredAt: iso(Date.parse(d.occurredAt) - MINUTE), environment: "production", database, tool: "flyway",
          migration, service, pipeline: d.pipeline, deploymentId: d.deploymentId ?? d.id,
        });
      });
      const handAt = period.endMs - 2 * DAY + 9 * HOUR;
      const script = `V${rows.length}.1__backfill_account_flags.sql`;
      rows.push({ id: `${rows.length}.1`, checksum: flywayChecksum(script), description: "backfill account flags", script, appliedAt: iso(handAt), appliedBy: scenario.person, success: true });
      out.push({ id: ids.event("migration_snapshot"), type: "migration_snapshot", occurredAt: iso(period.endMs - 30 * MINUTE), environment: "production", database, tool: "flyway", migrations: rows });
    } else if (scenario.kind === "untagged-kept") {
      const repository = imageRepositoryOf(scenario.service);
      const tags = [...new Set(events.flatMap((e) => (e.type === "image_build" && e.repository === repository ? e.tags : [])))];
      const untagged = [20, 12, 2].map((days) => ({ digest: ids.digest(), pushedAt: iso(period.endMs - days * DAY) }));
      out.push({ id: ids.event("registry_tags"), type: "registry_tags", occurredAt: iso(period.endMs - 45 * MINUTE), repository, tags, untagged });
    }
  }
  return out;
}
