import { bigserial, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, sourceColumns, tstz } from "./columns";

/** What a registry reported it holds for one repository at one instant: the retained images a rollback can use. */
export const registryTagLists = pgTable(
  "registry_tag_lists",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    externalId: text().notNull(),
    repository: text().notNull(),
    tags: text().array().notNull(),
    /**
     * The untagged manifests the registry still holds, with when each was pushed: from listings that
     * show them (GitHub Packages versions, `aws ecr describe-images`); null when the listing cannot
     * tell (OCI tags/list, crane ls, skopeo list-tags name tags only).
     */
    untagged: jsonb().$type<{ digest: string; pushedAt: string | null }[]>(),
    observedAt: tstz().notNull(),
    ...sourceColumns(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("registry_tag_lists_source_key_external_id_key").on(t.sourceKey, t.externalId),
    index("registry_tag_lists_repository_observed_at_idx").on(t.repository, t.observedAt),
  ],
);

export type RegistryTagList = typeof registryTagLists.$inferSelect;
