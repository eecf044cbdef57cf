import { createHash, sign, verify, type KeyObject } from "node:crypto";

/**
 * The transparency-log signed note (C2SP signed-note, Go's golang.org/x/mod/sumdb/note) and the
 * checkpoint it carries (C2SP tlog-checkpoint): origin, tree size, base64 root hash, then a blank
 * line and `— <key name> <base64(4-byte key id || Ed25519 signature)>`. Sumdb, Rekor and
 * witnesses read the same bytes, so auditors can check Custody's checkpoints with their tools.
 */
const ED25519 = 0x01;
const DASH = "\u2014 ";

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  /** Extension lines after the root hash, kept verbatim. */
  extensions: string[];
}

export function rawEd25519(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("not an Ed25519 key");
  return Buffer.from(jwk.x, "base64url");
}

/** key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4] */
export function noteKeyId(name: string, publicKey: KeyObject): Buffer {
  return createHash("sha256")
    .update(Buffer.from(`${name}\n`))
    .update(Buffer.from([ED25519]))
    .update(rawEd25519(publicKey))
    .digest()
    .subarray(0, 4);
}

/** The verifier key text Go's note.NewVerifier reads: `<name>+<hex key id>+<base64(0x01 || key)>`. */
export function verifierKey(name: string, publicKey: KeyObject): string {
  return `${name}+${noteKeyId(name, publicKey).toString("hex")}+${Buffer.concat([Buffer.from([ED25519]), rawEd25519(publicKey)]).toString("base64")}`;
}

export function validKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

export function checkpointText(c: Omit<Checkpoint, "extensions"> & { extensions?: string[] }): string {
  return [c.origin, String(c.treeSize), c.rootHash.toString("base64"), ...(c.extensions ?? [])].map((l) => `${l}\n`).join("");
}

/** Signs a note text (ending in a newline) with the key named `name`. */
export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject): string {
  if (!text.endsWith("\n") || text.includes("\n\n")) throw new Error("malformed note text");
  if (!validKeyName(name)) throw new Error(`invalid key name "${name}"`);
  const signature = sign(null, Buffer.from(text), privateKey);
  return `${text}\n${DASH}${name} ${Buffer.concat([noteKeyId(name, publicKey), signature]).toString("base64")}\n`;
}

export type NoteResult = { ok: true; text: string; checkpoint: Checkpoint } | { ok: false; reason: string };

/** Parses a checkpoint note without checking any signature: what it says, or what is malformed. */
export function parseCheckpointNote(note: string): NoteResult & { signatures?: { name: string; keyId: Buffer; signature: Buffer }[] } {
  if (note.length > 1_000_000) return { ok: false, reason: "the note is larger than 1 MB" };
  if (/[\u0000-\u0009\u000b-\u001f]/u.test(note)) return { ok: false, reason: "the note contains control characters (is it a checkpoint?)" };
  const split = note.lastIndexOf("\n\n");
  if (split < 0) return { ok: false, reason: "no blank line between the checkpoint and its signature lines" };
  const text = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2);
  if (!sigLines.endsWith("\n")) return { ok: false, reason: "the last signature line does not end with a newline" };
  const signatures: { name: string; keyId: Buffer; signature: Buffer }[] = [];
  for (const line of sigLines.slice(0, -1).split("\n")) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m) return { ok: false, reason: `malformed signature line "${line.slice(0, 80)}" (expected "— <name> <base64>")` };
    const raw = Buffer.from(m[2] as string, "base64");
    if (raw.length < 5) return { ok: false, reason: `signature of ${m[1]} is too short` };
    signatures.push({ name: m[1] as string, keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  const lines = text.slice(0, -1).split("\n");
  const [origin, size, root, ...extensions] = lines;
  if (!origin) return { ok: false, reason: "the checkpoint has no origin line" };
  if (!size || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return { ok: false, reason: `the tree size line "${(size ?? "").slice(0, 40)}" is not a decimal number` };
  if (!root || !/^[A-Za-z0-9+/]{43}=$/.test(root)) return { ok: false, reason: "the root hash line is not a base64 SHA-256 hash" };
  return { ok: true, text, checkpoint: { origin, treeSize: Number(size), rootHash: Buffer.from(root, "base64"), extensions }, signatures };
}

/**
 * Verifies a checkpoint note with a public key obtained out of band. The key's name is the
 * note's origin unless given; a line with that name and key id must carry a valid signature.
 */
export function verifyCheckpointNote(note: string, publicKey: KeyObject, name?: string): NoteResult {
  const parsed = parseCheckpointNote(note);
  if (!parsed.ok) return parsed;
  const keyName = name ?? parsed.checkpoint.origin;
  const id = noteKeyId(keyName, publicKey);
  const line = parsed.signatures?.find((s) => s.name === keyName && s.keyId.equals(id));
  if (!line) return { ok: false, reason: `no signature by the trusted key (${keyName}+${id.toString("hex")}) on the checkpoint` };
  let valid = false;
  try {
    valid = verify(null, Buffer.from(parsed.text), publicKey, line.signature);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "the checkpoint's signature does not verify with the trusted key" };
  return { ok: true, text: parsed.text, checkpoint: parsed.checkpoint };
}
