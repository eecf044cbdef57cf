import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

const all = ["{lib,db,app,components,bin,scripts}/**/*.test.ts"];
/**
 * Test files that replace modules with vi.mock. In the shared workers a mock would stay in force for the files
 * that run after it, so these run as a project of their own: Vitest starts new workers between projects, and
 * this one resets the modules and mocks before each of its files.
 */
const mocking = ["app/pages-and-actions.security.test.ts"];

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: "forks",
    // A worker process keeps its modules from one test file to the next, instead of a new process, module
    // graph and embedded Postgres (WebAssembly) per file: 339 s became 205 s embedded on two cores.
    // lib/testing/each-file.ts puts back before each file what a new process would have (environment,
    // configuration, metrics).
    poolOptions: { forks: { isolate: false } },
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      { extends: true, test: { name: "shared", include: all, exclude: [...configDefaults.exclude, ...mocking], setupFiles: ["lib/testing/each-file.ts"] } },
      { extends: true, test: { name: "isolated", include: mocking, poolOptions: { forks: { isolate: true } } } },
    ],
  },
});
