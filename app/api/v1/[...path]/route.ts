import { AppError } from "@/lib/errors";
import { handler } from "@/lib/http/respond";

export const dynamic = "force-dynamic";

/** Any path under /api/v1 that no route serves: the contract's JSON 404, never Next's HTML page. */
const notFound = handler(async (req) => {
  const path = new URL(req.url).pathname.slice(0, 200);
  throw new AppError("NOT_FOUND", `no API route at ${req.method} ${path}; the routes are listed in /api/v1/openapi.json`);
});

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
