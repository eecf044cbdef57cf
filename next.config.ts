import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  output: "standalone",
  serverExternalPackages: ["@electric-sql/pglite", "pg", "pdfkit"],
  // The PDF report's fonts are read from disk (lib/reports/pdf-fonts.ts): copy them into the standalone server.
  outputFileTracingIncludes: {
    "/api/v1/reports/**": [
      "./node_modules/@expo-google-fonts/noto-sans/400Regular/*.ttf",
      "./node_modules/@expo-google-fonts/noto-sans/700Bold/*.ttf",
      "./node_modules/@expo-google-fonts/noto-sans-jp/400Regular/*.ttf",
      "./node_modules/@expo-google-fonts/noto-sans-jp/700Bold/*.ttf",
    ],
    // The Help pages read docs/*.md at run time.
    "/help/[doc]": ["./docs/*.md"],
  },
  poweredByHeader: false,
  typedRoutes: false,
  // forbidden() from requireUser: a page a role may not see answers 403, not a hidden button.
  // Answers to an audit request carry files of up to 10 MiB (lib/engagements/attachments.ts): the
  // action's body may hold one such file and its text; lib checks each file's own limit (413).
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "11mb" } },
};

export default nextConfig;
