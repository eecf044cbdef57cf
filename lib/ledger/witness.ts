import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { config } from "../config";
import { log } from "../log";

/** The file name a checkpoint of `treeSize` is witnessed under: sorts by size. */
export const witnessFileName = (treeSize: number) => `checkpoint-${String(treeSize).padStart(12, "0")}.txt`;

/**
 * Copies a freshly signed checkpoint where the database's owner cannot reach: a directory (one
 * file per checkpoint, written whole then renamed) and/or an HTTP endpoint that receives a POST
 * of the note. A sink that fails is logged; the checkpoint stays signed in the database and the
 * next one carries the same history forward.
 */
export async function witnessCheckpoint(note: string, treeSize: number, sinks = config().checkpoints): Promise<void> {
  const work: Promise<void>[] = [];
  if (sinks.witnessDir) {
    const dir = sinks.witnessDir;
    work.push(
      (async () => {
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, witnessFileName(treeSize));
        await writeFile(`${file}.tmp`, note);
        await rename(`${file}.tmp`, file);
      })().catch((error: unknown) => log.warn("checkpoint not witnessed in the directory", { dir, treeSize, error: String(error) })),
    );
  }
  if (sinks.witnessUrl) {
    const url = sinks.witnessUrl;
    work.push(
      fetch(url, { method: "POST", headers: { "content-type": "text/plain; charset=utf-8" }, body: note, signal: AbortSignal.timeout(10_000) })
        .then((res) => {
          if (!res.ok) log.warn("checkpoint witness refused the checkpoint", { status: res.status, treeSize });
        })
        .catch((error: unknown) => log.warn("checkpoint not witnessed at the URL", { treeSize, error: String(error) })),
    );
  }
  await Promise.all(work);
}
