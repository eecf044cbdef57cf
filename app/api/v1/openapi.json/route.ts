import { json, otherMethods } from "@/lib/http/respond";
import { openApiDocument } from "@/lib/http/openapi";

export const dynamic = "force-static";

/** The API contract, public like the API's own paths. */
export function GET(): Response {
  return json(openApiDocument());
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
