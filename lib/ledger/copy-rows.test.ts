import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COPY_COLUMNS, CopyTupleReader } from "./copy-rows";

/** A COPY binary stream as Postgres writes it (header, tuples of length-prefixed fields, trailer). */
function copyStream(tuples: (Buffer | null)[][]): Buffer {
  const parts: Buffer[] = [Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(4), Buffer.from([0, 0, 0, 2]), Buffer.from("xy")];
  for (const t of tuples) {
    const n = Buffer.alloc(2);
    n.writeInt16BE(t.length);
    parts.push(n);
    for (const f of t) {
      const len = Buffer.alloc(4);
      len.writeInt32BE(f === null ? -1 : f.length);
      parts.push(len);
      if (f) parts.push(f);
    }
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

describe("the COPY binary reader", () => {
  it("gives back every tuple's fields, whatever the stream's chunking", () => {
    const field = fc.option(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), { freq: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: COPY_COLUMNS.length, maxLength: COPY_COLUMNS.length }), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }),
        (tuples, cuts) => {
          const stream = copyStream(tuples);
          const got: (Buffer | null)[][] = [];
          const reader = new CopyTupleReader((t) => got.push(COPY_COLUMNS.map((_, i) => ((t.start[i] as number) < 0 ? null : Buffer.from(t.buf.subarray(t.start[i], t.end[i]))))));
          let p = 0;
          for (let i = 0; p < stream.length; i += 1) {
            const n = cuts[i % cuts.length] as number;
            reader.feed(stream.subarray(p, p + n));
            p += n;
          }
          expect(reader.done).toBe(true);
          expect(got).toEqual(tuples);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a stream that is not COPY binary", () => {
    expect(() => new CopyTupleReader(() => undefined).feed(Buffer.from("seq\tsource\n1\tevents\n0123456789"))).toThrow(/not a COPY binary stream/);
  });
});
