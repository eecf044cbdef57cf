#!/usr/bin/env node
// Launcher: runs the TypeScript CLI (lib/cli) through tsx, from any working directory.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.env.CUSTODY_ROOT ??= root;
process.env.CUSTODY_MIGRATIONS_DIR ??= path.join(root, "db", "migrations");
register({ tsconfig: path.join(root, "tsconfig.json") });
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
