import { sql, type SQL } from "drizzle-orm";

/**
 * Tagged images kept for a service's rollback, counted up to `cap`: the tags the registry last
 * reported for the repository of the service's latest build (`latest` aside), when a tag list of it
 * was ingested (`custody registry tags`); else, as before, the tagged builds Custody saw. The
 * registry's word wins: images pruned there are gone, whatever was built.
 */
export function retainedImagesSql(service: SQL, cap: number | null): SQL {
  return sql`coalesce(
    (select cardinality(array(select t from unnest(l.tags) t where t <> 'latest' limit ${cap}))
       from registry_tag_lists l
       where l.repository = (select b.repository from image_builds b where b.service = ${service} order by b.built_at desc, b.id desc limit 1)
       order by l.observed_at desc, l.id desc limit 1),
    (select count(*) from (select 1 from image_builds x where x.service = ${service} and cardinality(x.tags) > 0 limit ${cap}) y))`;
}
