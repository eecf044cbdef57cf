import { unstorableString } from "./json-limits";

/**
 * What a page's form (a server action's FormData) holds that Postgres cannot store, as the message
 * the action shows in its form, or null: a text field with U+0000. Each action asks first and answers
 * `{ error }`, instead of failing with a database error. (FormData holds USVStrings, so a lone
 * surrogate has already become U+FFFD; files are checked by their own readers.)
 */
export function formProblem(form: FormData): string | null {
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string" || unstorableString(value) === null) continue;
    // Said to a person: the field as the form names it, and what to do.
    return `The field “${name.slice(0, 40)}” holds a NUL character (U+0000), which Custody cannot store: remove it and send the form again.`;
  }
  return null;
}
