// The dashboard server against an in-process fake ledgerd: static files,
// gRPC-Web forwarding (unary and the WatchBalances stream), redaction, error
// codes and details, and recovery after ledgerd restarts.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  ErrorDetailSchema,
  LedgerAudit,
  LedgerQueries,
} from "../gen/solidarity/ledger/v1/ledger_pb.js";
import { startDashboard, type Dashboard } from "../src/server/app.js";
import { startFakeLedgerd, type FakeLedgerd } from "./fake-ledgerd.js";

let fake: FakeLedgerd;
let dash: Dashboard;
let publicDir: string;
const logs: string[] = [];

before(async () => {
  fake = await startFakeLedgerd();
  publicDir = mkdtempSync(join(tmpdir(), "dashboard-public-"));
  writeFileSync(join(publicDir, "index.html"), "<!doctype html><title>t</title>");
  writeFileSync(join(publicDir, "app.js"), "console.log(1)");
  dash = await startDashboard({
    ledger: `127.0.0.1:${fake.port}`,
    listenHost: "127.0.0.1",
    listenPort: 0,
    publicDir,
    maxStreams: 2,
    log: (l) => logs.push(l),
  });
});

after(async () => {
  await dash?.close();
  await fake?.close();
  rmSync(publicDir, { recursive: true, force: true });
});

function clients() {
  const transport = createGrpcWebTransport({ baseUrl: dash.url.replace(/\/$/, ""), useBinaryFormat: true });
  return { queries: createClient(LedgerQueries, transport), audit: createClient(LedgerAudit, transport) };
}

test("listens on a real port and prints a usable URL", () => {
  assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.notEqual(dash.port, 0);
});

test("serves the page with security headers, 404 and 405 otherwise", async () => {
  const page = await fetch(dash.url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.match(await page.text(), /<title>t<\/title>/);

  const js = await fetch(new URL("app.js", dash.url));
  assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);

  assert.equal((await fetch(new URL("nope.txt", dash.url))).status, 404);
  assert.equal((await fetch(new URL("../../etc/passwd", dash.url))).status, 404);
  assert.equal((await fetch(dash.url, { method: "POST", body: "x" })).status, 405);
});

test("forwards unary queries over gRPC-Web", async () => {
  const { queries, audit } = clients();
  const summary = await queries.getSummary({});
  assert.equal(summary.ledgerName, "Test campaign");
  assert.equal(summary.totals?.currencies[0]?.raisedMinor, 1000n);
  const head = await audit.getHead({});
  assert.equal(head.head?.position, 5n);
  const v = await audit.verifyChain({ fromPosition: 1n, toPosition: 5n });
  assert.equal(v.ok, true);
  assert.ok(fake.calls.includes("VerifyChain:1:5"));
});

test("sensitive beneficiaries lose their purpose; others keep it", async () => {
  const { queries } = clients();
  const res = await queries.listBeneficiaries({});
  const byId = new Map(res.beneficiaries.map((b) => [b.beneficiary?.beneficiaryId, b.beneficiary]));
  assert.equal(byId.get("friend-x")?.displayName, "Friend X");
  assert.equal(byId.get("friend-x")?.purpose, "");
  assert.equal(byId.get("lawyer-a")?.purpose, "legal aid in the capital");
  const one = await queries.getBeneficiary({ beneficiaryId: "friend-x" });
  assert.equal(one.beneficiary?.beneficiary?.purpose, "");
});

test("errors keep their code and ErrorDetail", async () => {
  const { queries } = clients();
  await assert.rejects(queries.getBeneficiary({ beneficiaryId: "nobody" }), (e: unknown) => {
    const err = ConnectError.from(e);
    assert.equal(err.code, Code.NotFound);
    assert.equal(err.rawMessage, "unknown beneficiary");
    const [detail] = err.findDetails(ErrorDetailSchema);
    assert.equal(detail?.reason, "UNKNOWN_BENEFICIARY");
    assert.equal(detail?.field, "beneficiary_id");
    return true;
  });
});

test("ReadEvents is capped and stripped of personal free text", async () => {
  const { audit } = clients();
  const res = await audit.readEvents({ fromPosition: 1n, limit: 1000 });
  assert.ok(fake.calls.includes("ReadEvents:1:100"), fake.calls.join(","));
  const ev = res.events[0]!;
  assert.equal(ev.memo, "");
  assert.equal(ev.actor, "");
  assert.equal(ev.body?.kind.case, "donationReceived");
  if (ev.body?.kind.case === "donationReceived") {
    assert.equal(ev.body.kind.value.donorRef, "");
    assert.equal(ev.body.kind.value.amount?.amountMinor, 1000n);
  }
});

test("only the read side is exposed, only over gRPC-Web", async () => {
  const { audit } = clients();
  await assert.rejects(audit.rebuildProjections({}), (e: unknown) => {
    assert.equal(ConnectError.from(e).code, Code.Unimplemented);
    return true;
  });
  // The Connect protocol (JSON over POST) is switched off.
  const res = await fetch(new URL("solidarity.ledger.v1.LedgerQueries/GetSummary", dash.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.notEqual(res.status, 200);
  // No command service at all.
  const append = await fetch(new URL("solidarity.ledger.v1.LedgerCommands/Append", dash.url), {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto" },
    body: new Uint8Array([0, 0, 0, 0, 0]),
  });
  assert.notEqual(append.headers.get("grpc-status"), "0");
  assert.ok(append.status === 404 || append.status === 405, `status ${append.status}`);
});

test("WatchBalances streams updates as they happen", async () => {
  const { queries } = clients();
  const abort = new AbortController();
  const seen: bigint[] = [];
  const stream = queries.watchBalances({}, { signal: abort.signal });
  for await (const update of stream) {
    seen.push(update.summary!.totals!.currencies[0]!.raisedMinor);
    assert.equal(update.beneficiaries.find((b) => b.beneficiary?.sensitive)?.beneficiary?.purpose, "");
    if (seen.length === 1) fake.donate(250n);
    if (seen.length === 2) break;
  }
  abort.abort();
  assert.deepEqual(seen, [1000n, 1250n]);
});

test("ledgerd down: UNAVAILABLE; back on the same port: works again", async () => {
  const { queries } = clients();
  const port = fake.port;
  await fake.close();
  await assert.rejects(queries.getSummary({}, { timeoutMs: 5000 }), (e: unknown) => {
    assert.equal(ConnectError.from(e).code, Code.Unavailable);
    return true;
  });
  assert.ok(logs.some((l) => l.includes("unreachable")), logs.join("\n"));
  fake = await startFakeLedgerd(port);
  const summary = await queries.getSummary({}, { timeoutMs: 5000 });
  assert.equal(summary.ledgerName, "Test campaign");
  assert.ok(logs.some((l) => l.includes("reachable again")), logs.join("\n"));
});

test("a running stream ends with an error when ledgerd goes away", async () => {
  const { queries } = clients();
  const abort = new AbortController();
  let first = true;
  await assert.rejects(
    (async () => {
      for await (const _ of queries.watchBalances({}, { signal: abort.signal, timeoutMs: 10_000 })) {
        if (first) {
          first = false;
          const port = fake.port;
          await fake.close();
          fake = await startFakeLedgerd(port);
        }
      }
      throw new Error("stream ended without an error");
    })(),
    (e: unknown) => {
      const code = ConnectError.from(e).code;
      assert.ok(code === Code.Unavailable || code === Code.Internal || code === Code.Canceled || code === Code.Unknown, `code ${Code[code]}: ${String(e)}`);
      return true;
    },
  );
  abort.abort();
});

test("too many open streams: RESOURCE_EXHAUSTED", async () => {
  const { queries } = clients();
  const aborts = [new AbortController(), new AbortController()];
  const iters = aborts.map((a) => queries.watchBalances({}, { signal: a.signal })[Symbol.asyncIterator]());
  await Promise.all(iters.map((it) => it.next()));
  await assert.rejects(
    (async () => {
      for await (const _ of queries.watchBalances({}, { timeoutMs: 5000 })) break;
    })(),
    (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.ResourceExhausted);
      return true;
    },
  );
  for (const a of aborts) a.abort();
  await Promise.allSettled(iters.map((it) => it.next()));
});
