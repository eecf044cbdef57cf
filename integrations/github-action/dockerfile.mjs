// Reads a Dockerfile's stages and base images, for the image_build event a pipeline sends to
// Custody (baseImages, stages) and for Custody's test of its own Dockerfile. Plain JavaScript with
// no dependencies, so a CI job can run it with nothing but Node.

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** Joins continuation lines and drops comments and blank lines. */
function instructions(text) {
  const out = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== "") out.push(current.trim());
    current = "";
  }
  if (current.trim() !== "") out.push(current.trim());
  return out;
}

function substitute(value, args) {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a, b) => args[a ?? b] ?? "");
}

/** The digest in `name[:tag]@sha256:...`, or null. */
export function digestOf(ref) {
  const at = ref.indexOf("@");
  const digest = at === -1 ? null : ref.slice(at + 1);
  return digest !== null && digestPattern.test(digest) ? digest : null;
}

/**
 * Parses the stages of a Dockerfile. `buildArgs` override the global ARG defaults (--build-arg).
 * Returns every stage with its base (`from`), whether that base is an earlier stage, and the
 * stages it copies from.
 */
export function parseDockerfile(text, buildArgs = {}) {
  const globalArgs = {};
  const stages = [];
  for (const ins of instructions(text)) {
    const [keyword = "", ...rest] = ins.split(/\s+/);
    const kw = keyword.toUpperCase();
    if (kw === "ARG" && stages.length === 0) {
      const [name = "", ...value] = rest.join(" ").split("=");
      globalArgs[name] = name in buildArgs ? buildArgs[name] : value.join("=").replace(/^"|"$/g, "");
    } else if (kw === "FROM") {
      const words = rest.filter((w) => !w.startsWith("--"));
      const from = substitute(words[0] ?? "", globalArgs);
      const asIndex = words.findIndex((w) => w.toUpperCase() === "AS");
      const name = asIndex === -1 ? String(stages.length) : (words[asIndex + 1] ?? String(stages.length));
      const known = stages.find((s) => s.name === from);
      stages.push({ name, from, fromStage: known ? known.name : null, copiesFrom: [] });
    } else if (kw === "COPY" && stages.length > 0) {
      const flag = rest.find((w) => w.startsWith("--from="));
      const current = stages[stages.length - 1];
      if (flag && current) current.copiesFrom.push(substitute(flag.slice("--from=".length), globalArgs));
    }
  }
  return { stages };
}

/**
 * What one build target is made of: the stages it depends on (itself included) and the external
 * base images of those stages, in Dockerfile order. The target defaults to the last stage.
 */
export function buildTarget(parsed, target) {
  const byName = new Map(parsed.stages.map((s, i) => [s.name, i]));
  const last = parsed.stages.length - 1;
  const start = target === undefined ? last : byName.get(target);
  if (start === undefined || start < 0) throw new Error(`no stage named ${target}`);
  const needed = new Set();
  const images = new Set();
  const visit = (i) => {
    if (needed.has(i)) return;
    needed.add(i);
    const stage = parsed.stages[i];
    for (const ref of [stage.from, ...stage.copiesFrom]) {
      const index = byName.get(ref) ?? (/^\d+$/.test(ref) ? Number(ref) : undefined);
      if (index !== undefined && index < i) visit(index);
      else if (ref !== "scratch") images.add(ref);
    }
  };
  visit(start);
  return {
    stages: needed.size,
    baseImages: [...images].map((ref) => ({ ref, digest: digestOf(ref) })),
  };
}
