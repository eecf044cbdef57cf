/** Next calls this once when the server starts; the checks live in a Node-only module. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfiguration } = await import("./instrumentation-node");
    checkConfiguration();
  }
}
