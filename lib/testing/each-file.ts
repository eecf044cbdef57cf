/**
 * Runs before every test file (vitest.config.ts `setupFiles`; Vitest runs a setup file again for each
 * file, even in a reused worker).
 *
 * The suite runs with `isolate: false`: a worker process keeps its loaded modules from one test file
 * to the next instead of starting a new process per file. That takes 40 % off the suite on two cores
 * (the module graph and the embedded Postgres's WebAssembly were loaded again for each of ~140 files),
 * but what a module remembers would then leak from one file into the next. This puts back what a new
 * process would have for each file:
 * - the environment as the worker started with it (test files set secrets and settings in it);
 * - the configuration read from that environment (lib/config.ts reads it once, then keeps it);
 * - a new metrics registry (counters start at zero, as in a new server);
 * - no process database handle (lib/db.ts): a file that uses the route handlers points them at its own
 *   database (setDatabase, lib/testing/route-harness.ts), and never reaches the one an earlier file closed;
 * - no remembered Sigstore verdicts (lib/provenance/store.ts): a verdict depends only on the bundle and
 *   the trust roots, so the process keeps it beside the stored cache, but a file whose database never
 *   stored it would then never store it (CI on 4 Dec: lib/provenance/evaluation.test.ts found 2 stored
 *   verdicts of 3 after lib/reports/provenance.test.ts had verified the same bundle in its own database).
 * A module that keeps other state across calls keys it by the database handle (WeakMap) or by its
 * own inputs, so a file's new database never sees another file's entries.
 *
 * Every change to the environment also forgets the configuration read from it (process.env is
 * wrapped once per worker). A file's own settings (`Object.assign(process.env, ...)` in its
 * beforeAll) used to count only if nothing had read the configuration between this reset and them,
 * and work an earlier file left running could: a checkpoint deferred by its last commit fires up to
 * a second later and reads the configuration (CI on 4 Dec: the OpenID Connect tests found sign-in
 * "not configured" after app/api/v1/webhooks/flux/route.test.ts ran before them in the worker).
 */
import { forgetConfig } from "../config";
import { clearVerificationMemo } from "../provenance/store";

const g = globalThis as unknown as { __custodyPristineEnv?: Record<string, string | undefined>; __custodyEnvWatched?: boolean; __custodyMetrics?: unknown; __custodyDb?: unknown };

if (!g.__custodyEnvWatched) {
  g.__custodyEnvWatched = true;
  const env = process.env;
  process.env = new Proxy(env, {
    set(target, key, value) {
      const ok = Reflect.set(target, key, value);
      forgetConfig();
      return ok;
    },
    deleteProperty(target, key) {
      const ok = Reflect.deleteProperty(target, key);
      forgetConfig();
      return ok;
    },
  });
}

// The first file in a worker records the environment the worker was started with.
g.__custodyPristineEnv ??= { ...process.env };
const pristine = g.__custodyPristineEnv;
for (const key of Object.keys(process.env)) if (!(key in pristine)) delete process.env[key];
for (const [key, value] of Object.entries(pristine)) if (process.env[key] !== value) process.env[key] = value;

forgetConfig();
clearVerificationMemo();
delete g.__custodyMetrics;
delete g.__custodyDb;
