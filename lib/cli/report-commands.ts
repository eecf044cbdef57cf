import { createWriteStream, readFileSync } from "node:fs";
import os from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type ReadableStream as WebReadableStream } from "node:stream/web";
import { exportReport } from "../reports/export";
import { parseReportParams } from "../reports/params";
import { verifyPackage } from "../reports/verify-package";
import { checkpointVerifierKey } from "../ledger/checkpoints";
import { instanceSigningKey } from "../signing/keys";
import { withDatabase } from "./database";
import { signerVerdict, trustedKeys } from "./trust";
import { CliError } from "./output";

type Values = Record<string, string | boolean | undefined>;
type Command = (args: string[], values: Values) => Promise<number>;

const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? (values[key] as string) : undefined);
const reportKeys = ["from", "to", "environment", "service", "format", "kind", "sample", "seed", "confidence", "tolerable"] as const;

async function remoteGet(values: Values, path: string, auth: boolean): Promise<Response> {
  const url = str(values, "url");
  const token = str(values, "token") ?? process.env.CUSTODY_TOKEN;
  if (!url) throw new CliError("internal: remoteGet without --url");
  if (auth && !token) throw new CliError("--token (or CUSTODY_TOKEN) is required with --url", 2);
  const res = await fetch(new URL(path, url), { headers: auth && token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new CliError(`server answered ${res.status}: ${body?.error?.message ?? res.statusText}`);
  }
  return res;
}

const report: Command = async (_args, values) => {
  const framework = str(values, "framework");
  if (!framework) throw new CliError("--framework is required (soc2 or iso27001)", 2);
  const out = str(values, "out");
  if (!out) throw new CliError("--out FILE is required (where to write the report)", 2);
  const query: Record<string, string | undefined> = Object.fromEntries(reportKeys.map((k) => [k, str(values, k)]));
  query.format ??= "pdf";
  const params = parseReportParams(framework, query);
  if (str(values, "url")) {
    const q = new URLSearchParams(Object.entries({ ...query, seed: params.seed }).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await remoteGet(values, `/api/v1/reports/${framework}?${q}`, true);
    if (!res.body) throw new CliError("the server sent an empty body");
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(out));
    process.stdout.write(`wrote ${out}: ${res.headers.get("x-custody-row-count") ?? "?"} changes, period ${res.headers.get("x-custody-period") ?? ""}, seed ${params.seed}\n`);
    return 0;
  }
  await withDatabase(async ({ db }) => {
    const result = await exportReport(db, params, { name: `cli:${os.userInfo().username}`, kind: "cli" });
    if (Buffer.isBuffer(result.body)) await pipeline(Readable.from([result.body]), createWriteStream(out));
    else await pipeline(result.body, createWriteStream(out));
    const { sha256 } = await result.done;
    process.stdout.write(
      `wrote ${out}: ${result.headers["x-custody-row-count"]} changes, period ${result.headers["x-custody-period"]}, sample seed ${params.seed}, sha256 ${sha256}\n`,
    );
  });
  return 0;
};

/** Prints the public key as PEM on stdout (so `custody keys > custody.pem` works) and its id on stderr. */
const keys: Command = async (_args, values) => {
  if (str(values, "url")) {
    const body = (await (await remoteGet(values, "/api/v1/keys", false)).json()) as { keys: { keyId: string; publicKeyPem: string }[] };
    if (body.keys.length === 0) throw new CliError("the server has no signing key configured");
    for (const k of body.keys) {
      process.stderr.write(`key id ${k.keyId} (Ed25519)\n`);
      process.stdout.write(k.publicKeyPem);
    }
    return 0;
  }
  const key = instanceSigningKey();
  if (!key) throw new CliError("no signing key: set CUSTODY_SIGNING_KEY to an Ed25519 PKCS#8 PEM private key");
  process.stderr.write(`key id ${key.keyId} (Ed25519); checkpoint verifier key ${checkpointVerifierKey(key)}\n`);
  process.stdout.write(key.publicKeyPem);
  return 0;
};

const verifyPackageCommand: Command = async ([file], values) => {
  if (!file) throw new CliError("usage: custody verify-package FILE.zip [--key PUBKEY.pem | --keys-url URL] [--since OLD.zip] [--allow-unverified-signer]", 2);
  const keys = await trustedKeys(values);
  const sinceFile = str(values, "since");
  let data: Buffer;
  let since: Buffer | undefined;
  try {
    data = readFileSync(file);
    since = sinceFile ? readFileSync(sinceFile) : undefined;
  } catch (error) {
    throw new CliError(`cannot read ${(error as { path?: string }).path ?? file}: ${(error as Error).message}`);
  }
  const pems = keys ? keys.map((k) => k.export({ type: "spki", format: "pem" }).toString()) : [undefined];
  let result: Awaited<ReturnType<typeof verifyPackage>> | undefined;
  for (const pem of pems) {
    try {
      result = await verifyPackage(data, pem, { since });
    } catch (error) {
      throw new CliError(`${sinceFile ? `${file} or ${sinceFile}` : file} is not a readable evidence package: ${(error as Error).message}`);
    }
    if (result.signature.valid) break;
  }
  if (!result) throw new CliError("no key to check with");
  for (const f of result.files) if (f.status !== "ok") process.stdout.write(`${f.status.toUpperCase()}\t${f.path}\n`);
  const okFiles = result.files.filter((f) => f.status === "ok").length;
  process.stdout.write(`files: ${okFiles} of ${result.files.length} match the manifest\n`);
  const s = result.signature;
  process.stdout.write(
    s.valid
      ? `signature: valid, key ${s.keyId}${keys ? " (a key you gave)" : " (the key named in the manifest)"}\n`
      : `signature: INVALID (${s.reason ?? "unknown"})\n`,
  );
  const l = result.ledger;
  if (l?.checkpoint) {
    process.stdout.write(
      l.ok
        ? `ledger proofs: ${l.entries} entries behind ${l.changes} sampled changes are in the log of ${l.checkpoint.treeSize} entries (${l.checkpoint.origin}, root ${l.checkpoint.rootHash})\n`
        : `ledger proofs FAILED: ${l.problems.slice(0, 5).join("; ")}${l.problems.length > 5 ? ` (and ${l.problems.length - 5} more)` : ""}\n`,
    );
  } else if (l && !l.ok) process.stdout.write(`ledger proofs: ${l.problems.join("; ")}\n`);
  if (result.since) process.stdout.write(`${result.since.ok ? "since" : "since FAILED"}: ${result.since.message}\n`);
  if (!result.ok) {
    process.stdout.write("package NOT verified\n");
    return 1;
  }
  process.stdout.write(keys ? "package verified: signed by a key you gave\n" : "package verified\n");
  return signerVerdict(keys, values);
};

export const reportCommands: Record<string, Command> = { report, keys, "verify-package": verifyPackageCommand };

