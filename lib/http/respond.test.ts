import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse } from "./respond";

afterEach(() => vi.restoreAllMocks());

describe("errorResponse for an unexpected error", () => {
  it("answers 500 without the error's text, and logs it without the failed query's parameters", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const error = new Error('Failed query: insert into "notification_subscriptions" ("url") values ($1)\nparams: https://hooks.slack.com/services/T000/B000/secret-part');
    const res = errorResponse(error, "req-1");
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain("notification_subscriptions");
    const logged = lines.join("");
    expect(logged).toContain("Failed query: insert into");
    expect(logged).toContain("req-1");
    expect(logged).not.toContain("secret-part");
    expect(logged).not.toContain("params:");
  });
});
