// Worker bootstrap for parallel full verification (lib/ledger/parallel-verify.ts): the worker runs
// TypeScript through tsx, as the CLI does, then verifies its segment.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
register({ tsconfig: path.join(root, "tsconfig.json") });
await import("./verify-segment.ts");
