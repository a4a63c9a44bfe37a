#!/usr/bin/env node
// Entry point of the dashboard server; the code is compiled into dist/ by
// "npm run build". Usage: node server.js --ledger HOST:PORT --listen HOST:PORT
import { existsSync } from "node:fs";

const compiled = new URL("./dist/server.js", import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('dashboard: not built yet; run "npm ci && npm run build" in clients/dashboard\n');
  process.exit(1);
}
await import(compiled.href);
