import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkpointText, parseCheckpointNote, signNote, verifierKey, verifyCheckpointNote } from "./signed-note";

// Go's golang.org/x/mod/sumdb/note TestSign (BSD-3-Clause, The Go Authors): the private key
// "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" and its signed note.
const seed = Buffer.from("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "base64").subarray(1);
const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
const publicKey = createPublicKey(privateKey);
const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const goNote = `${text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

describe("signed notes, byte for byte as Go's sumdb/note", () => {
  it("signs Go's test note to the same bytes, and derives Go's verifier key", () => {
    expect(signNote(text, "PeterNeumann", privateKey, publicKey)).toBe(goNote);
    expect(verifierKey("PeterNeumann", publicKey)).toBe("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  });

  it("verifies a checkpoint with the trusted key and rejects a changed tree size or root", () => {
    const cp = checkpointText({ origin: "custody.example/ledger", treeSize: 400, rootHash: Buffer.alloc(32, 7) });
    expect(cp).toBe(`custody.example/ledger\n400\n${Buffer.alloc(32, 7).toString("base64")}\n`);
    const note = signNote(cp, "custody.example/ledger", privateKey, publicKey);
    const ok = verifyCheckpointNote(note, publicKey);
    expect(ok.ok && ok.checkpoint.treeSize).toBe(400);
    expect(verifyCheckpointNote(note.replace("\n400\n", "\n401\n"), publicKey)).toEqual({ ok: false, reason: "the checkpoint's signature does not verify with the trusted key" });
    const other = createPublicKey(createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.alloc(32, 1)]), format: "der", type: "pkcs8" }));
    const wrongKey = verifyCheckpointNote(note, other);
    expect(wrongKey.ok).toBe(false);
  });

  it("names what is malformed in a checkpoint file", () => {
    const reason = (s: string) => {
      const r = parseCheckpointNote(s);
      return r.ok ? null : r.reason;
    };
    expect(reason("hello")).toMatch(/no blank line/);
    expect(reason("origin\nten\nAAAA\n\n— x AAAAAAAA\n")).toMatch(/tree size line "ten"/);
    expect(reason("origin\n10\nAAAA\n\n— x AAAAAAAA\n")).toMatch(/root hash/);
    expect(reason(`origin\n10\n${Buffer.alloc(32).toString("base64")}\n\n-- x AAAAAAAA\n`)).toMatch(/malformed signature line/);
  });
});
