import { redirect } from "next/navigation";

/** The header's search box submits here; the chain lives at a shareable path. */
export default async function TraceSearch({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ref = (await searchParams).ref;
  const value = typeof ref === "string" ? ref.trim() : "";
  redirect(value ? `/trace/${encodeURIComponent(value)}` : "/");
}
