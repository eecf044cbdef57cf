import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { missingThing, PAGE_PATH_HEADER } from "@/lib/navigation/pages";

export const metadata: Metadata = { title: "Not found" };

/** 404: names what was asked for when the page knows it, and where to look instead. */
export default async function NotFound() {
  const missing = missingThing((await headers()).get(PAGE_PATH_HEADER) ?? "");
  return (
    <section className="page-state page-state-error" aria-labelledby="not-found-heading">
      <p className="status status-warn">404 Not found</p>
      <h1 id="not-found-heading">{missing ? `${missing} does not exist` : "There is no page at this address"}</h1>
      <p>
        Custody has no record under this address. Check the link, or start from the <Link href="/">overview</Link>, the{" "}
        <Link href="/environments">environments</Link> or the <Link href="/findings">findings</Link>; the search box in the header traces any commit, digest,
        pull request or pipeline run.
      </p>
    </section>
  );
}
