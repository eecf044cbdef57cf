import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "./client";
import { bulkInsert, onConflictNothing, onConflictUpdate } from "./bulk";
import { commits, imageBuilds } from "./schema";
import { createTestDatabase } from "./testing";

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => {
  await h?.close();
});

/** Text that trips naive escaping: quotes, array-literal syntax, a backslash, a newline, non-ASCII and the word NULL. */
const awkward = `quote ' double " comma , brace { } backslash \\ newline\n ünïcode NULL`;

describe("bulkInsert", () => {
  it("stores every value type as the query builder would, awkward text included", async () => {
    await bulkInsert(h.db, imageBuilds, [
      {
        repository: "ghcr.io/acme/api",
        digest: "sha256:0000000000000000000000000000000000000000000000000000000000000001",
        tags: ["v1.2.3", "a,b", 'quo"te', "NULL"],
        baseImages: [{ ref: "debian:12", digest: null }],
        sizeBytes: 5_000_000_000,
        stages: 2,
        scan: null,
        builder: awkward,
        builtAt: new Date("2026-03-14T09:58:00.123Z"),
      },
      {
        repository: "ghcr.io/acme/api",
        digest: "sha256:0000000000000000000000000000000000000000000000000000000000000002",
        tags: [awkward],
        baseImages: null,
        sizeBytes: null,
        stages: null,
        scan: { critical: 0, high: 1, note: awkward, nested: [awkward, null, { "quo\"te": "\u2028" }] },
        builder: null,
        builtAt: new Date("2026-03-15T00:00:00Z"),
      },
    ]);
    const rows = await h.db.select().from(imageBuilds).orderBy(imageBuilds.digest);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      tags: ["v1.2.3", "a,b", 'quo"te', "NULL"],
      baseImages: [{ ref: "debian:12", digest: null }],
      sizeBytes: 5_000_000_000,
      stages: 2,
      scan: null,
      builder: awkward,
      builtAt: new Date("2026-03-14T09:58:00.123Z"),
    });
    expect(rows[1]).toMatchObject({ tags: [awkward], baseImages: null, sizeBytes: null, builder: null });
    // JSON documents travel as one JSON text for all rows: awkward text inside them comes back whole.
    expect(rows[1]?.scan).toEqual({ critical: 0, high: 1, note: awkward, nested: [awkward, null, { 'quo"te': "\u2028" }] });
  });

  it("stores a single row (plain parameters, no array literal) the same way", async () => {
    const digest = "sha256:0000000000000000000000000000000000000000000000000000000000000003";
    await bulkInsert(h.db, imageBuilds, [
      { repository: "ghcr.io/acme/one", digest, tags: ["a,b", 'quo"te', "NULL"], baseImages: [{ ref: awkward, digest: null }], sizeBytes: 7, builder: awkward, builtAt: new Date("2026-03-16T00:00:00Z") },
    ]);
    const [row] = await h.db.select().from(imageBuilds).where(eq(imageBuilds.digest, digest));
    expect(row).toMatchObject({ tags: ["a,b", 'quo"te', "NULL"], baseImages: [{ ref: awkward, digest: null }], sizeBytes: 7, builder: awkward });
  });

  it("applies ON CONFLICT clauses and returns rows", async () => {
    const row = { sha: "a".repeat(40), repository: "acme/api", message: "first", committedAt: new Date("2026-01-01T00:00:00Z") };
    await bulkInsert(h.db, commits, [row]);
    const returned = await bulkInsert<typeof row, { sha: string; message: string }>(
      h.db,
      commits,
      [{ ...row, message: "second" }, { ...row, sha: "b".repeat(40) }],
      sql`${onConflictUpdate([commits.sha], { message: sql`excluded.message` }, commits)} returning sha, message`,
    );
    expect(returned.map((r) => [r.sha[0], r.message]).sort()).toEqual([
      ["a", "second"],
      ["b", "first"],
    ]);
    await bulkInsert(h.db, commits, [{ ...row, message: "third" }], onConflictNothing([commits.sha]));
    const [a] = await h.db.select().from(commits).where(eq(commits.sha, row.sha));
    expect(a?.message).toBe("second");
  });

  it("refuses a key the table does not have", async () => {
    await expect(bulkInsert(h.db, commits, [{ sha: "c".repeat(40), nope: 1 }])).rejects.toThrow(/no column nope/);
  });
});
