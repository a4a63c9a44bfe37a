// Command line of the dashboard server:
//   node server.js --ledger 127.0.0.1:50051 --listen 127.0.0.1:8080
// Prints "dashboard listening on http://HOST:PORT/" to stdout once it serves.

import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { existsSync, readFileSync, statSync } from "node:fs";
import { startDashboard } from "./app.js";
import { parseArgs, splitHostPort, USAGE } from "./args.js";
import { readUpstreamTls } from "./tls.js";

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`dashboard: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const publicDir = join(here, "public");
  if (!existsSync(join(publicDir, "index.html"))) {
    process.stderr.write(`dashboard: no built page in ${publicDir}; run "npm run build" first\n`);
    process.exit(1);
  }
  let token: string | undefined;
  if (opts.tokenFile) {
    try {
      const st = statSync(opts.tokenFile);
      if ((st.mode & 0o077) !== 0) throw new Error("may be read by others than its owner; chmod 600 it");
      token = readFileSync(opts.tokenFile, "utf8").trim();
      if (!/^[0-9a-fA-F]{64}$/.test(token)) throw new Error("does not hold a token (64 hex characters)");
    } catch (e) {
      process.stderr.write(`dashboard: token file ${opts.tokenFile}: ${(e as Error).message}\n`);
      process.exit(1);
    }
  }
  let tls;
  try {
    tls = readUpstreamTls(opts);
  } catch (e) {
    process.stderr.write(`dashboard: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const listen = splitHostPort(opts.listen, "--listen");
  let dashboard;
  try {
    dashboard = await startDashboard({
      ledger: opts.ledger,
      listenHost: listen.host,
      listenPort: listen.port,
      publicDir,
      maxStreams: opts.maxStreams,
      maxStreamsPerClient: opts.maxStreamsPerClient,
      maxBodyBytes: opts.maxBodyBytes,
      trustProxy: opts.trustProxy,
      token,
      tls,
    });
  } catch (e) {
    process.stderr.write(`dashboard: cannot listen on ${opts.listen}: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`dashboard listening on ${dashboard.url}\n`);
  process.stderr.write(
    `dashboard: forwarding to ledgerd at ${opts.ledger} ${tls ? `over TLS (CA ${opts.ca}${tls.cert ? `, client certificate ${opts.clientCert}` : ""})` : "in plaintext"}, ${token ? `with the token in ${opts.tokenFile}` : "as the public (no token)"}\n`,
  );

  const stop = (signal: string) => {
    process.stderr.write(`dashboard: ${signal}, shutting down\n`);
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    dashboard.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

void main();
