import Link from "next/link";
import { helpHref } from "@/lib/help/docs";

/** "Help": the docs section that explains this page. */
export function HelpLink({ page }: { page: string }) {
  return (
    <Link href={helpHref(page)} className="help-link">
      Help
    </Link>
  );
}
