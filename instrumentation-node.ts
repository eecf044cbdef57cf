import { ConfigError, config } from "./lib/config";
import { stampPeerAddress } from "./lib/http/client-address";
import { log } from "./lib/log";
import { boundHeapGrowth } from "./lib/server-heap";
import { TrialSecretsError, trialSecrets } from "./lib/trial-secrets";

/**
 * Runs before the server serves a request. A deployed server with missing or bad configuration
 * stops here with one line naming the variable, instead of starting half set up.
 */
export function checkConfiguration(): void {
  stampPeerAddress();
  try {
    config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`custody: ${error.message}\n`);
    process.exit(1);
  }
  const c = config();
  boundHeapGrowth(c.heapGrowingPercent);
  if (!c.databaseUrl) {
    try {
      trialSecrets();
    } catch (error) {
      if (!(error instanceof TrialSecretsError)) throw error;
      process.stderr.write(`custody: ${error.message}\n`);
      process.exit(1);
    }
  }
  log.info("custody starting", { mode: c.mode, database: c.databaseUrl ? "postgres" : "embedded", port: c.port });
}
