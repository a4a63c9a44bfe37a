// What a flooding client of the dashboard server gets: request bodies over
// the cap are refused (413) without being read or forwarded, whether their
// length is declared or they come chunked, and live streams are capped per
// client address as well as in total. Loopback only, port 0.

import { test, before, after, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { LedgerQueries } from "../gen/solidarity/ledger/v1/ledger_pb.js";
import { startDashboard, type Dashboard, type DashboardOptions } from "../src/server/app.js";
import { startFakeLedgerd, type FakeLedgerd } from "./fake-ledgerd.js";

const MiB = 1024 * 1024;
const FLOOD = 50 * MiB;
const GET_SUMMARY = "/solidarity.ledger.v1.LedgerQueries/GetSummary";
const GRPC_WEB = { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };

let fake: FakeLedgerd;
let publicDir: string;
const dashboards: Dashboard[] = [];

before(async () => {
  fake = await startFakeLedgerd();
  publicDir = mkdtempSync(join(tmpdir(), "dashboard-public-"));
  writeFileSync(join(publicDir, "index.html"), "<!doctype html><title>t</title>");
});

after(async () => {
  for (const d of dashboards) await d.close();
  await fake?.close();
  rmSync(publicDir, { recursive: true, force: true });
});

async function dashboard(extra: Partial<DashboardOptions> = {}): Promise<Dashboard> {
  const d = await startDashboard({
    ledger: `127.0.0.1:${fake.port}`,
    listenHost: "127.0.0.1",
    listenPort: 0,
    publicDir,
    log: () => {},
    ...extra,
  });
  dashboards.push(d);
  return d;
}

interface RawOutcome {
  status?: number;
  body: Buffer;
  error?: string;
  /** Body bytes the client managed to hand to its socket. */
  sent: number;
}

/**
 * A POST by hand: `send` writes the body (or not); resolves once the
 * connection is closed or the answer is complete.
 */
function rawPost(
  d: Dashboard,
  headers: http.OutgoingHttpHeaders,
  send: (req: http.ClientRequest, out: RawOutcome) => Promise<void>,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const out: RawOutcome = { body: Buffer.alloc(0), sent: 0 };
    const req = http.request(new URL(GET_SUMMARY, d.url), { method: "POST", headers, agent: false });
    const chunks: Buffer[] = [];
    const finish = () => {
      out.body = Buffer.concat(chunks);
      req.destroy();
      resolve(out);
    };
    req.on("response", (res) => {
      out.status = res.statusCode;
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", finish);
      res.on("error", finish);
    });
    req.on("error", (e) => {
      out.error ??= (e as NodeJS.ErrnoException).code ?? e.message;
    });
    req.on("close", finish);
    void send(req, out).catch((e: Error) => {
      out.error ??= e.message;
    });
  });
}

test("a Content-Length of 50 MB: 413 before any of it is read, nothing forwarded", async () => {
  const d = await dashboard();
  const calls = fake.calls.length;
  const out = await rawPost(d, { ...GRPC_WEB, "content-length": String(FLOOD) }, async (req) => {
    req.flushHeaders();
  });
  assert.equal(out.status, 413, out.error);
  assert.match(out.body.toString(), /larger than 65536 bytes/);
  assert.equal(fake.calls.length, calls, `forwarded: ${fake.calls.slice(calls).join(",")}`);
  assert.equal(d.stats().bodyBytesPeak, 0, "not a byte of the body was read");
  assert.equal(d.stats().bodiesRefused, 1);
});

test("a chunked 50 MB POST: 413 and the connection closed at the cap, never more held", async (t: TestContext) => {
  const d = await dashboard();
  const calls = fake.calls.length;
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const rssBefore = process.memoryUsage().rss;
  let rssMax = rssBefore;
  const sample = setInterval(() => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }, 5);
  const started = Date.now();
  const out = await rawPost(d, GRPC_WEB, async (req, o) => {
    // No Content-Length: Node sends the body chunked.
    while (o.sent < FLOOD && !req.destroyed && o.status === undefined) {
      const flushed = req.write(chunk);
      o.sent += chunk.length;
      if (!flushed) {
        await new Promise<void>((resolve) => {
          req.once("drain", resolve);
          req.once("close", resolve);
        });
      }
    }
    if (!req.destroyed) req.end();
  });
  clearInterval(sample);
  const rssGrowth = Math.max(rssMax, process.memoryUsage().rss) - rssBefore;
  const stats = d.stats();
  t.diagnostic(
    `status ${out.status ?? "-"}, error ${out.error ?? "-"}, ${(out.sent / MiB).toFixed(2)} MiB written by the client, ` +
      `server held at most ${stats.bodyBytesPeak} bytes, rss grew ${(rssGrowth / MiB).toFixed(1)} MiB, ${Date.now() - started} ms`,
  );
  assert.ok(out.status === 413 || out.error !== undefined, `status ${out.status}`);
  if (out.status !== undefined) assert.equal(out.status, 413);
  assert.ok(out.sent < FLOOD, "the server stopped reading long before the end");
  assert.ok(stats.bodyBytesPeak <= 65_536, `held ${stats.bodyBytesPeak} bytes`);
  assert.equal(stats.bodyBytesHeld, 0);
  assert.equal(stats.bodiesRefused, 1);
  assert.ok(rssGrowth < 16 * MiB, `rss grew by ${rssGrowth} bytes`);
  assert.equal(fake.calls.length, calls, `forwarded: ${fake.calls.slice(calls).join(",")}`);
});

test("a chunked body under the cap is still answered", async () => {
  const d = await dashboard();
  const calls = fake.calls.length;
  // One empty GetSummaryRequest, enveloped, in two chunks.
  const out = await rawPost(d, GRPC_WEB, async (req) => {
    req.write(Buffer.from([0, 0, 0]));
    req.end(Buffer.from([0, 0]));
  });
  assert.equal(out.status, 200, out.error);
  assert.match(out.body.toString("latin1"), /grpc-status:\s*0/);
  assert.ok(fake.calls.slice(calls).includes("GetSummary"), fake.calls.slice(calls).join(","));
  assert.equal(d.stats().bodyBytesHeld, 0);
});

/** A gRPC-Web client whose connections come from `localAddress`. */
function queriesFrom(d: Dashboard, localAddress: string) {
  const transport = createGrpcWebTransport({
    baseUrl: d.url.replace(/\/$/, ""),
    httpVersion: "1.1",
    useBinaryFormat: true,
    nodeOptions: { localAddress },
  });
  return createClient(LedgerQueries, transport);
}

interface Opened {
  code: Code | "ok";
  close(): Promise<void>;
}

/** Opens a WatchBalances stream and waits for its first message (or error). */
async function openStream(queries: ReturnType<typeof queriesFrom>, headers: Record<string, string> = {}): Promise<Opened> {
  const abort = new AbortController();
  const it = queries.watchBalances({}, { signal: abort.signal, headers, timeoutMs: 10_000 })[Symbol.asyncIterator]();
  try {
    await it.next();
  } catch (e) {
    return { code: ConnectError.from(e).code, close: async () => {} };
  }
  return {
    code: "ok",
    close: async () => {
      abort.abort();
      await it.next().catch(() => undefined);
    },
  };
}

/** Waits (at most 5 s) until the server counts `n` open streams. */
async function untilOpen(d: Dashboard, n: number) {
  for (let i = 0; i < 500 && d.stats().openStreams !== n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(d.stats().openStreams, n);
}

test("one address beyond its stream cap: RESOURCE_EXHAUSTED; another address still streams; a closed stream frees its slot", async () => {
  const d = await dashboard({ maxStreams: 3, maxStreamsPerClient: 2 });
  const a = queriesFrom(d, "127.0.0.1");
  const b = queriesFrom(d, "127.0.0.2");
  const a1 = await openStream(a);
  const a2 = await openStream(a);
  assert.deepEqual([a1.code, a2.code], ["ok", "ok"]);
  assert.equal((await openStream(a)).code, Code.ResourceExhausted, "a third stream from one address");
  const b1 = await openStream(b);
  assert.equal(b1.code, "ok", "a second address is not held up by the first");
  assert.deepEqual(d.stats().openStreamsByClient, { "127.0.0.1": 2, "127.0.0.2": 1 });

  await a1.close();
  await untilOpen(d, 2);
  const a3 = await openStream(a);
  assert.equal(a3.code, "ok", "a closed stream freed its slot");

  // Three open in all: the total cap holds whoever asks.
  assert.equal((await openStream(b)).code, Code.ResourceExhausted, "beyond the total cap");
  for (const s of [a2, a3, b1]) await s.close();
  await untilOpen(d, 0);
  assert.deepEqual(d.stats().openStreamsByClient, {});
});

test("without trustProxy a spoofed X-Forwarded-For is ignored", async () => {
  const d = await dashboard({ maxStreams: 10, maxStreamsPerClient: 2 });
  const a = queriesFrom(d, "127.0.0.1");
  const s1 = await openStream(a, { "x-forwarded-for": "203.0.113.1" });
  const s2 = await openStream(a, { "x-forwarded-for": "203.0.113.2" });
  assert.deepEqual([s1.code, s2.code], ["ok", "ok"]);
  assert.equal((await openStream(a, { "x-forwarded-for": "203.0.113.3" })).code, Code.ResourceExhausted);
  assert.deepEqual(d.stats().openStreamsByClient, { "127.0.0.1": 2 });
  await s1.close();
  await s2.close();
  await untilOpen(d, 0);
});

test("with trustProxy the last X-Forwarded-For entry is the client", async () => {
  const d = await dashboard({ maxStreams: 10, maxStreamsPerClient: 1, trustProxy: true });
  const a = queriesFrom(d, "127.0.0.1");
  // What the client wrote comes first; the proxy in front appends what it saw.
  const s1 = await openStream(a, { "x-forwarded-for": "198.51.100.7, 203.0.113.1" });
  const s2 = await openStream(a, { "x-forwarded-for": "198.51.100.7, 203.0.113.2" });
  assert.deepEqual([s1.code, s2.code], ["ok", "ok"]);
  assert.equal((await openStream(a, { "x-forwarded-for": "10.9.9.9, 203.0.113.1" })).code, Code.ResourceExhausted);
  assert.deepEqual(d.stats().openStreamsByClient, { "203.0.113.1": 1, "203.0.113.2": 1 });
  await s1.close();
  await s2.close();
  await untilOpen(d, 0);
});
