import { AppError } from "../../errors";

type Json = Record<string, unknown>;
/** Every key of every member of a union (plain `keyof` keeps only the shared ones). */
type Keys<T> = T extends unknown ? Extract<keyof T, string> : never;
type At<T, K extends string> = T extends unknown ? (K extends keyof T ? NonNullable<T[K]> : never) : never;
type Item<T> = T extends readonly (infer E)[] ? E : never;

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const invalid = (path: string, message: string) => new AppError("VALIDATION", `${path}: ${message}`);

/**
 * A read-only view of one untrusted JSON object whose keys are checked against GitHub's payload
 * types at compile time and whose values are checked at run time. Required readers throw a
 * VALIDATION AppError naming the field; optional readers ignore a value of the wrong type.
 */
export class Fields<T> {
  private constructor(
    private readonly raw: Json,
    readonly path: string,
  ) {}

  static of<T>(value: unknown, path: string): Fields<T> {
    if (value === undefined || value === null) throw invalid(path, "required");
    if (!isRecord(value)) throw invalid(path, "must be an object");
    return new Fields<T>(value, path);
  }

  static maybe<T>(value: unknown, path: string): Fields<T> | undefined {
    return isRecord(value) ? new Fields<T>(value, path) : undefined;
  }

  private at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Own properties only: a key such as `constructor` must not reach Object.prototype. */
  value(key: Keys<T>): unknown {
    return Object.hasOwn(this.raw, key) ? this.raw[key] : undefined;
  }

  str(key: Keys<T>): string {
    const v = this.value(key);
    if (v === undefined || v === null) throw invalid(this.at(key), "required");
    if (typeof v !== "string") throw invalid(this.at(key), "must be a string");
    return v;
  }

  /** A non-empty string, else undefined. */
  optStr(key: Keys<T>): string | undefined {
    const v = this.value(key);
    return typeof v === "string" && v.length > 0 ? v : undefined;
  }

  int(key: Keys<T>): number {
    const v = this.value(key);
    if (v === undefined || v === null) throw invalid(this.at(key), "required");
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw invalid(this.at(key), "must be an integer");
    return v;
  }

  optInt(key: Keys<T>): number | undefined {
    const v = this.value(key);
    return typeof v === "number" && Number.isSafeInteger(v) ? v : undefined;
  }

  optBool(key: Keys<T>): boolean | undefined {
    const v = this.value(key);
    return typeof v === "boolean" ? v : undefined;
  }

  obj<K extends Keys<T>>(key: K): Fields<At<T, K>> {
    return Fields.of<At<T, K>>(this.value(key), this.at(key));
  }

  optObj<K extends Keys<T>>(key: K): Fields<At<T, K>> | undefined {
    return Fields.maybe<At<T, K>>(this.value(key), this.at(key));
  }

  arr(key: Keys<T>): unknown[] {
    const v = this.value(key);
    if (v === undefined || v === null) throw invalid(this.at(key), "required");
    if (!Array.isArray(v)) throw invalid(this.at(key), "must be an array");
    return v;
  }

  /** A required array whose every item must be an object. */
  objs<K extends Keys<T>>(key: K): Fields<Item<At<T, K>>>[] {
    return this.arr(key).map((item, i) => Fields.of<Item<At<T, K>>>(item, `${this.at(key)}[${i}]`));
  }

  optArr(key: Keys<T>): unknown[] | undefined {
    const v = this.value(key);
    return Array.isArray(v) ? v : undefined;
  }
}
