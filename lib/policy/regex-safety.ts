/**
 * Whether a regular expression puts an unbounded quantifier (`*`, `+`, `{n,}`) on a group that
 * itself holds one, like `(a+)+` or `(?:-\w+\s+)*`: the shape that makes a backtracking engine
 * take exponential or quadratic time on text that almost matches. Bounded repetition (`{0,8}`)
 * is allowed. A heuristic, like safe-regex's star height: it may refuse a harmless pattern, never
 * an unbounded nesting.
 */
export function hasNestedUnboundedQuantifier(source: string): boolean {
  // For each open group: does it (at any depth) hold an unbounded quantifier?
  const stack: boolean[] = [];
  let inClass = false;
  let lastGroupHeldUnbounded: boolean | null = null;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      lastGroupHeldUnbounded = null;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      lastGroupHeldUnbounded = null;
      continue;
    }
    if (c === "(") {
      stack.push(false);
      lastGroupHeldUnbounded = null;
      continue;
    }
    if (c === ")") {
      const held = stack.pop() ?? false;
      if (held && stack.length > 0) stack[stack.length - 1] = true;
      lastGroupHeldUnbounded = held;
      continue;
    }
    const unbounded = c === "*" || c === "+" || (c === "{" && /^\{\d+,\}/.test(source.slice(i, i + 12)));
    if (unbounded) {
      if (lastGroupHeldUnbounded) return true;
      if (stack.length > 0) stack[stack.length - 1] = true;
    }
    if (c === "{") {
      const close = source.indexOf("}", i);
      if (close > i) i = close;
    }
    lastGroupHeldUnbounded = null;
  }
  return false;
}
