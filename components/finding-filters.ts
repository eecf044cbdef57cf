import { parseAsString, parseAsStringLiteral } from "nuqs/server";

/** The findings filters as URL parameters, shared by the server loader and the client hook. */
export const findingParsers = {
  status: parseAsStringLiteral(["open", "resolved", "any"] as const).withDefault("open"),
  rule: parseAsString,
  environment: parseAsString,
  service: parseAsString,
  from: parseAsString,
  to: parseAsString,
};
