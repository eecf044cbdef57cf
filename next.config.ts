import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  output: "standalone",
  serverExternalPackages: ["@electric-sql/pglite", "pg", "pdfkit"],
  poweredByHeader: false,
  // The Help pages read docs/*.md at run time.
  outputFileTracingIncludes: { "/help/[doc]": ["./docs/*.md"] },
  typedRoutes: false,
  // forbidden() from requireUser: a page a role may not see answers 403, not a hidden button.
  experimental: { authInterrupts: true },
};

export default nextConfig;
