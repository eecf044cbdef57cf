import { type z } from "zod";
import { type custodyEvent } from "../../events/schema";

type EventInput = z.input<typeof custodyEvent>;

/** An event before the dispatcher gives it its deterministic id and validates it. */
export type Draft = EventInput extends infer E ? (E extends unknown ? Omit<E, "id"> : never) : never;

export type Projection =
  | { drafts: Draft[]; notes: string[] }
  | { notUsed: string };

export const notUsed = (reason: string): Projection => ({ notUsed: reason });

/** Drafts and the reasons (strings) why some sub-event was not projected. */
export function project(results: Array<Draft | string>): Projection {
  return {
    drafts: results.filter((r): r is Draft => typeof r !== "string"),
    notes: results.filter((r): r is string => typeof r === "string"),
  };
}
