import { parseArgs } from "node:util";
import { CliError, reportError } from "./output";
import { assertUsage, gitopsUsage, partitionUsage, proofUsage, reportUsage } from "./usage";

type Command = (args: string[], values: Record<string, string | boolean | undefined>) => Promise<number>;

/**
 * Each command's module is loaded when that command runs: a pipeline step such as `custody assert` or
 * `custody verify-package` starts without loading the database drivers, the PDF writer or the demo.
 * Commands listed here live in their own module; the rest in ./commands.ts.
 */
const ownModules: Record<string, () => Promise<Record<string, Command>>> = {
  report: async () => (await import("./report-commands")).reportCommands,
  keys: async () => (await import("./report-commands")).reportCommands,
  "verify-package": async () => (await import("./report-commands")).reportCommands,
  "verify-proof": async () => (await import("./proof-commands")).proofCommands,
  archive: async () => (await import("./partition-commands")).partitionCommands,
  restore: async () => (await import("./partition-commands")).partitionCommands,
  "verify-archive": async () => (await import("./partition-commands")).partitionCommands,
  partitions: async () => (await import("./partition-commands")).partitionCommands,
};
async function loadCommand(name: string): Promise<Command | undefined> {
  const commands = await (ownModules[name] ?? (async () => (await import("./commands")).commands))();
  return Object.hasOwn(commands, name) ? commands[name] : undefined;
}

const usage = `Usage: custody <command> [options]

  start                         migrate, load the demo (embedded database only) and run the server (honours PORT)
  migrate                       apply the database migrations
  demo                          load the demo history (also into a real Postgres, when asked)
  token create --name N --scopes ingest,read [--types deployment,snapshot] [--repositories acme/*]
               [--environments staging,production] [--expires 90d|2027-03-01]
  token list | token revoke --id ID
  user create --email E --role admin|compliance|manager|auditor [--name N]
                                password from CUSTODY_PASSWORD, a prompt, or generated and printed once
  user list
  push FILE.json                send Custody events (one event or { "events": [...] })
  attest FILE [--digest D]      send Sigstore bundles (a bundle, or the JSON lines of gh attestation download)
                                for the image digest D (default: the sha256 subjects of each statement)
  snapshot k8s --environment E  read \`kubectl get pods,deploy,sts,ds,cronjob,job,cm,secret -A -o json\` from stdin
                                (Secrets are reduced to a hash of their data before anything is sent)
  registry tags --repository R  read a registry's tag list (crane ls, skopeo list-tags, GET /v2/<name>/tags/list,
                                or gh api .../packages/container/NAME/versions, aws ecr describe-images: untagged too)
  snapshot migrations --tool T --environment E --database D
                                read a migration history table (psql --csv, or json_agg) from stdin; T is flyway,
                                liquibase, alembic, rails, prisma or drizzle (docs/operators.md "Drift" names the query)
  migrations record --tool T --environment E --database D --pipeline PROVIDER:RUN_ID (--before FILE | --since TIME)
                                in the pipeline, after its migrate step: the rows it added, as applied by that run
${gitopsUsage}
  audit k8s --environment E     read Kubernetes audit-log JSON lines from stdin
  verify                        recompute the hash chains of the ledger and the audit log, and the Merkle tree
  rebuild                       replay the ledger into fresh projections; recompute the Merkle roots
  worker                        judge the evaluation queue of DATABASE_URL in this process, until SIGTERM
                                (servers with CUSTODY_EVALUATOR=external leave the judging to it;
                                several workers share CUSTODY_EVALUATION_SHARDS shards, one each at a time)
${proofUsage}
${partitionUsage}
${reportUsage}
${assertUsage}

  push, attest, snapshot, registry, migrations and audit send to a running server with --url URL --token TOKEN,
  else they write to the configured database (DATABASE_URL, or the embedded one).`;

const reportOptions = Object.fromEntries(
  ["framework", "from", "to", "format", "kind", "service", "sample", "seed", "confidence", "tolerable", "out", "key", "keys-url", "since", "before", "checkpoint", "old-checkpoint", "entry", "against"].map((k) => [k, { type: "string" as const }]),
);

const assertOptions = Object.fromEntries(
  ["gate", "digest", "commit", "pr", "image-ref", "provider", "run-id", "manifest-commit", "break-glass-reason", "break-glass-person"].map((k) => [k, { type: "string" as const }]),
);

export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: "string" },
        scopes: { type: "string" },
        types: { type: "string" },
        repositories: { type: "string" },
        environments: { type: "string" },
        expires: { type: "string" },
        "yes-load-demo-into": { type: "string" },
        id: { type: "string" },
        email: { type: "string" },
        role: { type: "string" },
        environment: { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        digest: { type: "string" },
        repository: { type: "string" },
        tool: { type: "string" },
        database: { type: "string" },
        pipeline: { type: "string" },
        before: { type: "string" },
        "deployment-id": { type: "string" },
        help: { type: "boolean", short: "h" },
        "allow-unverified-signer": { type: "boolean" },
        ...reportOptions,
        ...assertOptions,
      },
    });
    const [command, ...rest] = positionals;
    if (!command || values.help) {
      process.stdout.write(`${usage}\n`);
      return command ? 0 : 2;
    }
    const run = await loadCommand(command);
    if (!run) throw new CliError(`unknown command "${command}"\n${usage}`, 2);
    return await run(rest, values);
  } catch (error) {
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      return reportError(new CliError(`${error.message} (see custody --help)`, 2));
    }
    return reportError(error);
  }
}
