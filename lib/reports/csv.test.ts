import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvBuffer, csvStream, type CsvTable } from "./csv";

function table(pages: number, onStop: () => void): CsvTable {
  async function* batches() {
    try {
      for (let p = 0; p < pages; p += 1) yield Array.from({ length: 100 }, (_, i) => [`${p}-${i}`, i % 2 === 0 ? "=cmd" : "ok, fine"]);
    } finally {
      onStop();
    }
  }
  return { columns: ["id", "note"], batches: batches() };
}

describe("CSV stream", () => {
  it("writes a BOM, the header and every batch's rows, guarded, with their count and hash", async () => {
    const { data, stats } = await csvBuffer(table(3, () => undefined));
    expect(data.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(data, { bom: true, columns: true }) as Array<{ id: string; note: string }>;
    expect(rows).toHaveLength(300);
    expect(stats.rows).toBe(300);
    expect(stats.bytes).toBe(data.length);
    expect(rows[0]).toEqual({ id: "0-0", note: "'=cmd" });
    expect(rows[299]).toEqual({ id: "2-99", note: "ok, fine" });
  });

  it("stops reading its source when the reader goes away", async () => {
    let stopped = false;
    const { stream } = csvStream(table(1_000_000, () => (stopped = true)));
    for await (const _chunk of stream) break; // the client hangs up after the first chunk
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(true);
  });
});
