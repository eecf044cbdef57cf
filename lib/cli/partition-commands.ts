import { createPublicKey } from "node:crypto";
import path from "node:path";
import { instanceSigningKey } from "../signing/keys";
import { ArchiveError, archiveBefore, restoreArchive, verifyArchiveFile } from "../partitions/archive";
import { ensurePartitions, listPartitions } from "../partitions/maintain";
import { withDatabase } from "./database";
import { CliError } from "./output";
import { trustedKeys } from "./trust";

type Values = Record<string, string | boolean | undefined>;
type Command = (args: string[], values: Values) => Promise<number>;
const str = (values: Values, key: string): string | undefined => (typeof values[key] === "string" ? (values[key] as string) : undefined);

async function publicKeyOf(values: Values) {
  const keys = await trustedKeys(values);
  if (keys?.[0]) return keys[0];
  const own = instanceSigningKey();
  return own ? createPublicKey(own.privateKey) : null;
}

const wrap = (error: unknown): never => {
  if (error instanceof ArchiveError) throw new CliError(error.message);
  throw error;
};

/** `archive --before DATE [--out DIR]`: months wholly before DATE, detached and written as verifiable files. */
const archive: Command = async (_args, values) => {
  const beforeText = str(values, "before");
  const before = beforeText ? new Date(beforeText) : null;
  if (!before || Number.isNaN(before.getTime())) throw new CliError("usage: custody archive --before 2019-01-01 [--out DIR]", 2);
  const out = path.resolve(str(values, "out") ?? "custody-archive");
  const results = await withDatabase((h) => archiveBefore(h.db, before, out, instanceSigningKey()), { owner: true }).catch(wrap);
  if (results.length === 0) process.stdout.write(`no month partition ends before ${before.toISOString()}: nothing archived\n`);
  for (const r of results) {
    process.stdout.write(`archived ${r.partition}: ${r.entries} entries${r.entries > 0 ? ` (${r.firstSeq}..${r.lastSeq})` : ""} -> ${r.file}\n`);
  }
  if (!instanceSigningKey() && results.some((r) => r.partition.startsWith("ledger_events"))) {
    process.stdout.write("no signing key (CUSTODY_SIGNING_KEY): the ledger files carry no signed checkpoint, only their hash chain and Merkle edges\n");
  }
  return 0;
};

/** `restore FILE [--key PUBKEY.pem]`: verifies an archive file, then loads its month back. */
const restore: Command = async ([file], values) => {
  if (!file) throw new CliError("usage: custody restore FILE.custody-archive.jsonl.gz [--key PUBKEY.pem]", 2);
  const key = await publicKeyOf(values);
  const r = await withDatabase((h) => restoreArchive(h.db, path.resolve(file), key), { owner: true }).catch(wrap);
  process.stdout.write(
    `verified and restored ${r.header.partition}: ${r.entries} entries${r.entries > 0 ? ` (${r.header.firstSeq}..${r.header.lastSeq})` : ""}` +
      `${r.header.checkpoint ? (r.signatureChecked ? ", consistent with the signed checkpoint" : ", checkpoint signature NOT checked (no key)") : ""}\n`,
  );
  return 0;
};

/** `verify-archive FILE [--key PUBKEY.pem]`: checks a file offline, without a database. */
const verifyArchive: Command = async ([file], values) => {
  if (!file) throw new CliError("usage: custody verify-archive FILE [--key PUBKEY.pem]", 2);
  const r = await verifyArchiveFile(path.resolve(file), await publicKeyOf(values));
  if (!r.ok) {
    process.stdout.write(`archive BROKEN: ${r.problem}\n`);
    return 1;
  }
  const h = r.header;
  process.stdout.write(`archive ok: ${h?.partition} ${h?.entries} entries (${h?.firstSeq}..${h?.lastSeq}), sha256 ${r.sha256}${h?.checkpoint ? (r.signatureChecked ? ", consistent with the signed checkpoint" : ", checkpoint signature NOT checked (no key)") : ""}\n`);
  return 0;
};

/** `partitions [--ensure]`: the month partitions with their row estimates; --ensure creates the next months'. */
const partitions: Command = async (args) => {
  const lines = await withDatabase(async (h) => {
    const created = args[0] === "ensure" ? await ensurePartitions(h.db) : null;
    const list = await listPartitions(h.db, { exact: args[0] === "count" });
    const out = list.map((p) => `${p.name.padEnd(32)} ${p.from ? `${p.from.toISOString().slice(0, 10)} .. ${p.to?.toISOString().slice(0, 10)}` : "default".padEnd(24)} ${p.rows} rows`);
    if (created !== null) out.unshift(`created ${created} partitions ahead`);
    return out;
  }, { owner: true });
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
};

export const partitionCommands: Record<string, Command> = { archive, restore, "verify-archive": verifyArchive, partitions };

