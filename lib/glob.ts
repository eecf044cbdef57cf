/** Compiled patterns, by glob: the evaluator matches the same few policy globs for every fact it judges. */
const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 1000;

/** `*` stands for any run of characters, everything else is literal; case-insensitive, like GitHub's names. */
export function globMatches(glob: string, value: string): boolean {
  let re = compiled.get(glob);
  if (re === undefined) {
    const pattern = glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${pattern}$`, "i");
    // Globs come from the policy and from tokens' limits: few, but not trusted to stay few.
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(glob, re);
  }
  return re.test(value);
}
