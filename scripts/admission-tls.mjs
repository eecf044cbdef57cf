#!/usr/bin/env node
// TLS in front of Custody for the Kubernetes API server, which calls admission webhooks over HTTPS
// only. Runs beside the server in the same pod (same image, same digest): terminates TLS on
// ADMISSION_TLS_PORT (8443) with the certificate in ADMISSION_TLS_DIR (tls.crt, tls.key, reloaded
// when they change) and forwards /api/v1/admission alone to Custody on 127.0.0.1:PORT.
import { readFileSync, watch } from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";

const dir = process.env.ADMISSION_TLS_DIR ?? "/etc/custody/admission-tls";
const port = Number(process.env.ADMISSION_TLS_PORT ?? 8443);
const upstream = { host: "127.0.0.1", port: Number(process.env.PORT ?? 3000) };
const load = () => ({ cert: readFileSync(path.join(dir, "tls.crt")), key: readFileSync(path.join(dir, "tls.key")) });

const server = https.createServer({ ...load(), minVersion: "TLSv1.2" }, (req, res) => {
  if (req.method !== "POST" || req.url?.split("?")[0] !== "/api/v1/admission") {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"code":"NOT_FOUND","message":"only POST /api/v1/admission is served here"}}');
    return;
  }
  const forward = http.request({ ...upstream, method: "POST", path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  forward.on("error", () => {
    if (!res.headersSent) res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
    res.end('{"error":{"code":"UNAVAILABLE","message":"custody is not answering yet"}}');
  });
  req.pipe(forward);
});

// cert-manager renews the Secret in place; pick the new pair up without a restart.
watch(dir, () => {
  try {
    server.setSecureContext(load());
  } catch {
    /* a half-written pair: the next event brings the whole one */
  }
});

server.listen(port, () => process.stdout.write(`admission TLS on :${port} -> ${upstream.host}:${upstream.port}\n`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
