import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { config } from "../config";
import { AppError } from "../errors";
import { CliError, readStdin } from "./output";

// Each command imports what it needs when it runs (see main.ts): `custody token list` does not load the
// Sigstore verifier, and `custody snapshot k8s --url` does not load the database drivers.
const database = () => import("./database");

type Values = Record<string, string | boolean | undefined>;
type Command = (args: string[], values: Values) => Promise<number>;

const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? (values[key] as string) : undefined);
const need = (values: Values, key: string, hint: string): string => {
  const v = str(values, key);
  if (!v) throw new CliError(`--${key} is required (${hint})`, 2);
  return v;
};

/** Sends a body of events to the server (--url/--token) or the configured database. */
async function send(values: Values, body: unknown): Promise<void> {
  const url = str(values, "url");
  const token = str(values, "token") ?? process.env.CUSTODY_TOKEN;
  let result: { accepted: number; duplicates: number };
  if (url) {
    if (!token) throw new CliError("--token (or CUSTODY_TOKEN) is required with --url", 2);
    const { postEvents } = await import("./remote");
    result = await postEvents(url, token, body);
  } else {
    const raw = JSON.stringify(body);
    const [{ withDatabase }, { ingestEvents }, { evaluationSettled }] = await Promise.all([database(), import("../ingest/events-api"), import("../evaluation/queue")]);
    result = await withDatabase(async ({ db }) => {
      const r = await ingestEvents(db, body, raw, { principal: `cli:${process.env.USER ?? "unknown"}` });
      await evaluationSettled(db);
      return r;
    });
  }
  process.stdout.write(`accepted ${result.accepted}, duplicates ${result.duplicates}\n`);
}

/** The CLI acts as the operator's OS account: its changes are audited under that name. */
const cliActor = () => ({ actor: `cli:${process.env.USER ?? "unknown"}`, actorType: "cli" as const });

export const commands: Record<string, Command> = {
  start: async () => (await import("./start")).start(),
  assert: async (_args, values) => (await import("./assert")).assertCommand(values),

  migrate: async () => {
    const { withDatabase } = await database();
    await withDatabase(async ({ driver }) => {
      process.stdout.write(`migrations applied (${driver === "pglite" ? "embedded database" : "Postgres"})\n`);
    });
    return 0;
  },

  demo: async (_rest, values) => {
    const c = config();
    // Sample data in a real database is a decision someone must type out: the database's own name.
    const real = c.databaseUrl !== undefined || c.mode === "server";
    if (real) {
      const name = c.databaseUrl ? decodeURIComponent(new URL(c.databaseUrl).pathname.replace(/^\//, "")) || "postgres" : "(none)";
      const confirmed = str(values, "yes-load-demo-into");
      if (confirmed !== name) {
        throw new CliError(
          `refusing to load sample data into the database "${name}"${c.mode === "server" ? " in server mode" : ""}; if that is really wanted, run: custody demo --yes-load-demo-into ${name}`,
          2,
        );
      }
    }
    const [{ withDatabase }, { loadDemo }] = await Promise.all([database(), import("../demo/load")]);
    const result = await withDatabase(({ db }) => loadDemo(db, real ? "random" : "public"));
    process.stdout.write(`demo history: ${result.accepted} events stored, ${result.duplicates} already present, ending ${result.end.toISOString()}\n`);
    if (real && result.users.length > 0) {
      process.stdout.write("demo sign-ins (random passwords, shown once):\n");
      for (const u of result.users) process.stdout.write(`  ${u.role.padEnd(18)} ${u.email.padEnd(26)} ${u.password}\n`);
    }
    return 0;
  },

  token: async ([sub], values) => {
    const [{ withDatabase }, { issueToken, revokeTokenAs }, { describeLimits, parseExpiry, parseTokenLimits }, { limitsOf, listTokens, parseScopes }] = await Promise.all([
      database(),
      import("../auth/token-admin"),
      import("../auth/token-scope"),
      import("../auth/tokens"),
    ]);
    if (sub === "create") {
      const limits = parseTokenLimits({ types: str(values, "types"), repositories: str(values, "repositories"), environments: str(values, "environments") });
      const limited = limits.eventTypes.length + limits.repositories.length + limits.environments.length > 0;
      // A token limited to event types, repositories or environments is an ingest token unless told otherwise.
      const scopes = parseScopes(str(values, "scopes") ?? (limited ? "ingest" : need(values, "scopes", "ingest, read and/or admission, comma-separated")));
      const name = str(values, "name") ?? (limited ? `ingest-${[...limits.eventTypes, ...limits.environments].join("-").slice(0, 60) || "scoped"}` : need(values, "name", "e.g. --name ci"));
      const expiresAt = parseExpiry(str(values, "expires"));
      const created = await withDatabase(({ db }) => issueToken(db, cliActor(), { name, scopes, limits, expiresAt }));
      process.stdout.write(
        `token ${created.id} "${created.name}" (${created.scopes.join(",")}; ${describeLimits(created.limits, created.expiresAt)}), shown once, store it now:\n${created.token}\n`,
      );
      return 0;
    }
    if (sub === "revoke") {
      const id = Number(need(values, "id", "the token id from token list"));
      if (!Number.isInteger(id)) throw new CliError("--id must be a number", 2);
      await withDatabase(({ db }) => revokeTokenAs(db, cliActor(), id));
      process.stdout.write(`token ${id} revoked\n`);
      return 0;
    }
    if (sub === "list") {
      const rows = await withDatabase(({ db }) => listTokens(db));
      for (const t of rows) {
        process.stdout.write(
          `${t.id}\t${t.name}\t${t.scopes.join(",")}\t${describeLimits(limitsOf(t), t.expiresAt)}\t${t.prefix}…\tlast used ${t.lastUsedAt?.toISOString() ?? "never"}${t.revokedAt ? "\trevoked" : ""}\n`,
        );
      }
      return 0;
    }
    throw new CliError(
      "usage: custody token create --name N --scopes ingest,read [--types T,..] [--repositories GLOB,..] [--environments E,..] [--expires 90d] | token list | token revoke --id ID",
      2,
    );
  },

  push: async ([file], values) => {
    if (!file) throw new CliError("usage: custody push FILE.json", 2);
    let text: string;
    try {
      text = file === "-" ? await readStdin() : readFileSync(file, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${file} is not JSON: ${(error as Error).message}`);
    }
    await send(values, body);
    return 0;
  },

  attest: async ([file], values) => {
    if (!file) throw new CliError("usage: custody attest BUNDLE.jsonl [--digest sha256:…] (the output of gh attestation download)", 2);
    let text: string;
    try {
      text = file === "-" ? await readStdin() : readFileSync(file, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const url = str(values, "url");
    const token = str(values, "token") ?? process.env.CUSTODY_TOKEN;
    const { parseDigestParam } = await import("../provenance/ingest");
    try {
      const digest = parseDigestParam(str(values, "digest") ?? null);
      const maxBundleBytes = config().maxBundleBytes;
      if (url) {
        if (!token) throw new CliError("--token (or CUSTODY_TOKEN) is required with --url", 2);
        const { postBundles } = await import("./remote");
        const r = await postBundles(url, token, text, digest);
        process.stdout.write(`accepted ${r.accepted}, duplicates ${r.duplicates}; the server verifies them with its next evaluation\n`);
        return 0;
      }
      const [{ withDatabase }, { ingestSigstoreBundles }, { evaluationSettled }, { configuredTrustRoots }, { parseBundles }, { subjectMatches, verifyBundle }] = await Promise.all([
        database(),
        import("../provenance/ingest"),
        import("../evaluation/queue"),
        import("../provenance/store"),
        import("../provenance/bundle"),
        import("../provenance/verify"),
      ]);
      const r = await withDatabase(async ({ db }) => {
        const result = await ingestSigstoreBundles(db, text, { digest, maxBundleBytes });
        await evaluationSettled(db);
        return result;
      });
      process.stdout.write(`accepted ${r.accepted}, duplicates ${r.duplicates}\n`);
      // What the evaluator concluded, bundle by bundle (offline, against the configured trusted roots).
      const trust = configuredTrustRoots();
      for (const b of parseBundles(text, maxBundleBytes)) {
        const v = verifyBundle(b.json, b.sha256, trust);
        const subject = digest === undefined ? "" : subjectMatches(v, digest) ? `, subject ${digest}` : `, subject does not match ${digest}`;
        const verdict = v.status === "verified" ? "verified" : `not verified: ${v.reason ?? "unknown"}`;
        process.stdout.write(`bundle ${b.sha256.slice(0, 12)}: ${verdict}${subject}; signer ${v.signer?.subjectAlternativeName ?? "unknown"}\n`);
      }
      return 0;
    } catch (error) {
      if (error instanceof AppError) throw new CliError(error.message, error.code === "VALIDATION" ? 2 : 1);
      throw error;
    }
  },

  snapshot: async ([kind], values) => {
    if (kind === "argocd" || kind === "flux") {
      const environment = need(values, "environment", "e.g. --environment production");
      const { gitopsSnapshotBatches } = await import("./gitops-commands");
      const { batches, notes } = gitopsSnapshotBatches(kind, await readStdin(), environment);
      for (const note of notes) process.stderr.write(`left out: ${note}\n`);
      if (batches.length === 0) process.stdout.write(`no ${kind === "argocd" ? "Argo CD Applications" : "Kustomizations or HelmReleases"} in the input\n`);
      for (const batch of batches) await send(values, batch);
      return 0;
    }
    if (kind === "migrations") {
      const { historyQueries, migrationSnapshot, parseTool } = await import("../ingest/migrations/history");
      const tool = parseTool(need(values, "tool", "flyway, liquibase, alembic, rails, prisma or drizzle"));
      const environment = need(values, "environment", "e.g. --environment production");
      const database = need(values, "database", `e.g. --database orders; rows from: psql --csv -c "${historyQueries[tool]}"`);
      const { event, notes } = migrationSnapshot(tool, await readStdin(), { environment, database, observedAt: new Date().toISOString() });
      for (const note of notes) process.stderr.write(`left out: ${note}\n`);
      await send(values, event);
      process.stdout.write(`${database} (${environment}): ${event.migrations.length} migrations applied\n`);
      return 0;
    }
    if (kind !== "k8s") throw new CliError("usage: kubectl get pods,deploy,sts,ds,cronjob,job,cm,secret -A -o json | custody snapshot k8s --environment E (or snapshot argocd|flux|migrations)", 2);
    const environment = need(values, "environment", "e.g. --environment production");
    const text = await readStdin();
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (error) {
      throw new CliError(`stdin is not JSON (expected kubectl get pods -A -o json): ${(error as Error).message}`);
    }
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
    const observedAt = new Date().toISOString();
    // Secrets are reduced to hashes of their data here, before anything is sent.
    const { clusterSnapshot } = await import("../ingest/kubernetes");
    const event = clusterSnapshot(list, { environment, id: `k8s-snapshot:${environment}:${observedAt}:${digest}`, observedAt });
    await send(values, event);
    return 0;
  },

  registry: async ([sub], values) => {
    if (sub !== "tags") throw new CliError("usage: crane ls R | custody registry tags --repository R (or skopeo list-tags, or GET /v2/<name>/tags/list)", 2);
    const { parseRegistryTags } = await import("../ingest/registry-tags");
    const event = parseRegistryTags(await readStdin(), { repository: str(values, "repository"), observedAt: new Date().toISOString() });
    await send(values, event);
    process.stdout.write(`${event.repository}: ${event.tags.length} tags\n`);
    return 0;
  },

  migrations: async ([sub], values) => {
    if (sub !== "record") throw new CliError("usage: psql --csv -c '<history query>' | custody migrations record --tool T --environment E --database D --pipeline PROVIDER:RUN_ID (--before FILE | --since TIME)", 2);
    const { parseTool, pipelineMigrations } = await import("../ingest/migrations/history");
    const tool = parseTool(need(values, "tool", "flyway, liquibase, alembic, rails, prisma or drizzle"));
    const environment = need(values, "environment", "e.g. --environment production");
    const database = need(values, "database", "e.g. --database orders");
    const pipeline = /^([^:]+):(.+)$/.exec(need(values, "pipeline", "the run that applied them, e.g. --pipeline github-actions:$GITHUB_RUN_ID"));
    if (!pipeline?.[1] || !pipeline[2]) throw new CliError("--pipeline must be PROVIDER:RUN_ID, e.g. github-actions:1234567890", 2);
    const beforeFile = str(values, "before");
    const since = str(values, "since");
    if (beforeFile === undefined && since === undefined) {
      throw new CliError("--before FILE (the history table read before the migrate step) or --since TIME (when the step started) is required: rows already there were not applied by this run", 2);
    }
    const { events, notes } = pipelineMigrations(tool, await readStdin(), {
      environment,
      database,
      pipeline: { provider: pipeline[1], runId: pipeline[2] },
      recordedAt: new Date().toISOString(),
      before: beforeFile === undefined ? undefined : readFileSync(beforeFile, "utf8"),
      since,
      service: str(values, "service"),
      deploymentId: str(values, "deployment-id"),
    });
    for (const note of notes) process.stderr.write(`left out: ${note}\n`);
    if (events.length === 0) {
      process.stdout.write(`${database} (${environment}): no migration applied by this run\n`);
      return 0;
    }
    await send(values, { events });
    process.stdout.write(`${database} (${environment}): ${events.map((e) => e.migration.id).join(", ")} recorded as applied by ${pipeline[1]} run ${pipeline[2]}\n`);
    return 0;
  },

  audit: async ([kind], values) => {
    if (kind !== "k8s") throw new CliError("usage: custody audit k8s --environment E < audit.log", 2);
    const environment = need(values, "environment", "e.g. --environment production");
    const { parseAuditLog } = await import("../ingest/kubernetes");
    const events = parseAuditLog(await readStdin(), { environment });
    if (events.length === 0) {
      process.stdout.write("no relevant audit events (exec, attach, ephemeral containers, manual changes) in the input\n");
      return 0;
    }
    for (let i = 0; i < events.length; i += 1000) await send(values, { events: events.slice(i, i + 1000) });
    return 0;
  },

  verify: async (_args, values) => {
    const [{ withDatabase }, { verifyAuditLog }, { verifyLedgerAndMerkle }] = await Promise.all([database(), import("../audit/verify"), import("./proof-commands")]);
    const [{ ledger, merkle }, audit] = await withDatabase(async ({ db }) => [await verifyLedgerAndMerkle(values, db), await verifyAuditLog(db)] as const);
    process.stdout.write(
      ledger.ok
        ? `ledger ok: ${ledger.events} entries, head ${ledger.head}${ledger.archived > 0 ? ` (entries 1..${ledger.archived} archived: checked from the recorded boundary; verify their files with verify-archive)` : ""}\n`
        : `ledger BROKEN at sequence ${ledger.firstBadSeq}: ${ledger.reason ?? ""}\n`,
    );
    process.stdout.write(
      audit.ok
        ? `audit log ok: ${audit.entries} entries, head ${audit.head}\n`
        : `audit log BROKEN at sequence ${audit.firstBadSeq}: ${audit.reason ?? ""}\n`,
    );
    for (const line of merkle.lines) process.stdout.write(`${line}\n`);
    return ledger.ok && audit.ok && merkle.ok ? 0 : 1;
  },

  user: async (args, values) => (await import("./users")).userCommand(args, values),

  worker: async () => {
    const url = config().databaseUrl;
    if (!url) throw new CliError("custody worker judges a shared Postgres: set DATABASE_URL (the embedded database judges inline)");
    const stop = new AbortController();
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => stop.abort());
    // The worker judges what the server judges inline: the same bound on its heap's growth.
    (await import("../server-heap")).boundHeapGrowth(config().heapGrowingPercent);
    const [{ withDatabase }, { runEvaluationWorker }] = await Promise.all([database(), import("../evaluation/worker")]);
    await withDatabase((handle) => runEvaluationWorker(handle, url, { signal: stop.signal, shards: config().evaluationShards }));
    return 0;
  },

  rebuild: async () => {
    const [{ withDatabase }, { rebuildProjections }, { verifyTree }] = await Promise.all([database(), import("../ingest/replay"), import("../ledger/verify-tree")]);
    const [result, tree] = await withDatabase(async ({ db }) => [await rebuildProjections(db), await verifyTree(db)] as const, { owner: true });
    process.stdout.write(`rebuilt projections from ${result.entries} ledger entries (${result.events} events)\n`);
    process.stdout.write(
      tree.ok
        ? `merkle tree recomputed from the entries: ${tree.size} entries, root ${tree.root}; the ${tree.checkpoints} signed checkpoints agree\n`
        : `merkle tree recomputed from the entries DIFFERS: ${tree.problem ?? ""}\n`,
    );
    return tree.ok ? 0 : 1;
  },
};
