import Link from "next/link";

export function SiteHeader() {
  return (
    <header className="site-header">
      <Link href="/" className="brand">
        Custody
      </Link>
      <nav aria-label="Main">
        <Link href="/">Environments</Link>
      </nav>
    </header>
  );
}
