import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { json, otherMethods } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Liveness and database reachability; no authentication. */
export async function GET(): Promise<Response> {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return json({ status: "ok", database: "reachable" });
  } catch {
    return json({ status: "degraded", database: "unreachable" }, { status: 503, headers: { "retry-after": "5" } });
  }
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
