/**
 * Runs once when the server starts, before it serves a request. A deployed server with missing or
 * bad configuration stops here with one line naming the variable, instead of starting half-set-up.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ConfigError, config } = await import("./lib/config");
  try {
    config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`custody: ${error.message}\n`);
    process.exit(1);
  }
  const { log } = await import("./lib/log");
  const c = config();
  log.info("custody starting", { mode: c.mode, database: c.databaseUrl ? "postgres" : "embedded", port: c.port });
}
