// The dashboard server against an in-process fake ledgerd: static files,
// gRPC-Web forwarding (unary and the WatchBalances stream), the token it
// calls with, error codes and details, and recovery after ledgerd restarts.

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
import { SENSITIVE_ID, startFakeLedgerd, type FakeLedgerd } from "./fake-ledgerd.js";

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

test("forwards GetCheckpoint: the latest only, note verbatim", async () => {
  const { audit } = clients();
  const res = await audit.getCheckpoint({ treeSize: 2n });
  assert.ok(fake.calls.includes("GetCheckpoint:0"), "the browser's tree size is not passed on");
  assert.ok(!fake.calls.includes("GetCheckpoint:2"));
  assert.equal(res.checkpoint?.treeSize, 5n);
  assert.equal(res.latestCosigned?.cosignatures[0]?.witness, "w1.example");
  assert.equal(res.witnesses.length, 2);
  assert.match(res.checkpoint?.note ?? "", /^solidarity-ledger\/00112233\n5\n/);
});

test("answers reach the browser as ledgerd gave them: the proxy adds and removes nothing", async () => {
  const { queries, audit } = clients();
  const res = await queries.listBeneficiaries({});
  // ledgerd's order and ledgerd's ids (ledgerd masks for the public itself).
  assert.deepEqual(
    res.beneficiaries.map((b) => b.beneficiary?.beneficiaryId),
    [SENSITIVE_ID, "lawyer-a"].sort(),
  );
  const one = await queries.getBeneficiary({ beneficiaryId: "lawyer-a" });
  assert.equal(one.beneficiary?.beneficiary?.purpose, "legal aid in the capital");
  assert.ok(fake.calls.includes("GetBeneficiary"), fake.calls.join(","));
  const events = await audit.readEvents({ fromPosition: 1n, limit: 1000 });
  assert.ok(fake.calls.includes("ReadEvents:1:100"), "capped at 100: " + fake.calls.join(","));
  const ev = events.events.find((e) => e.position === 4n)!;
  assert.equal(ev.eventId, "don-1-q8z");
  assert.equal(ev.reversedByPosition, 5n);
  assert.equal(ev.body?.kind.case, "donationReceived");
});

test("the proxy calls as the public or with its own token, never with the browser's", async () => {
  const token = "ab".repeat(32);
  const withToken = await startDashboard({
    ledger: `127.0.0.1:${fake.port}`,
    listenHost: "127.0.0.1",
    listenPort: 0,
    publicDir,
    token,
    log: (l) => logs.push(l),
  });
  after(() => withToken.close());
  const spoofing = (url: string) =>
    createClient(
      LedgerQueries,
      createGrpcWebTransport({
        baseUrl: url.replace(/\/$/, ""),
        useBinaryFormat: true,
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${"cd".repeat(32)}`);
            return next(req);
          },
        ],
      }),
    );
  fake.calls.length = 0;
  await spoofing(dash.url).getSummary({});
  await spoofing(withToken.url).getSummary({});
  assert.deepEqual(
    fake.calls.filter((c) => c.startsWith("authorization:")),
    ["authorization:", `authorization:Bearer ${token}`],
  );
});

test("errors keep their code, message and ErrorDetail; a failure without a reason becomes a plain sentence", async () => {
  const { queries } = clients();
  await assert.rejects(queries.getBeneficiary({ beneficiaryId: "nobody" }), (e: unknown) => {
    const err = ConnectError.from(e);
    assert.equal(err.code, Code.NotFound);
    assert.equal(err.rawMessage, 'no beneficiary "nobody"');
    const [detail] = err.findDetails(ErrorDetailSchema);
    assert.equal(detail?.reason, "UNKNOWN_BENEFICIARY");
    assert.equal(detail?.field, "beneficiary_id");
    return true;
  });
  // No ErrorDetail: the text stays in the operator's log.
  await assert.rejects(queries.getBranch({ branchId: "nobody" }), (e: unknown) => {
    const err = ConnectError.from(e);
    assert.equal(err.code, Code.NotFound);
    assert.equal(err.rawMessage, "the ledger server could not answer (not_found)");
    return true;
  });
  assert.ok(logs.some((l) => l.includes('no branch "nobody"')), logs.join("\n"));
});

test("only the read side is exposed, only over gRPC-Web", async () => {
  const { audit } = clients();
  await assert.rejects(audit.rebuildProjections({}), (e: unknown) => {
    assert.equal(ConnectError.from(e).code, Code.Unimplemented);
    return true;
  });
  // Nor GetEvent (it answers by event id) nor statements (their lines are whole events).
  const { queries } = clients();
  for (const call of [
    () => audit.getEvent({ key: { case: "position", value: 4n } }),
    () => queries.getFundStatement({ fund: "general", range: { fromDate: "2026-01-01", toDate: "2026-12-31" } }),
    () => queries.getBranchStatement({ branchId: "unison-leeds", range: { fromDate: "2026-01-01", toDate: "2026-12-31" } }),
    () => queries.getIncomeStatement({ range: { fromDate: "2026-01-01", toDate: "2026-12-31" } }),
  ]) {
    await assert.rejects(call(), (e: unknown) => {
      assert.equal(ConnectError.from(e).code, Code.Unimplemented);
      return true;
    });
  }
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

test("a register ledgerd answers in pages reaches the browser whole, with no page token", async () => {
  const { queries } = clients();
  const res = await queries.listBeneficiaries({ includeClosed: true });
  assert.ok(res.beneficiaries.length >= 2, `${res.beneficiaries.length} funds`);
  assert.equal(res.nextPageToken, "");
  // Every page was asked for (ids of ledgerd's own order are never tokens the browser sees).
  assert.ok(fake.calls.includes("ListBeneficiaries:true:1"), fake.calls.join(","));
});

test("WatchBalances streams updates as they happen", async () => {
  const { queries } = clients();
  const abort = new AbortController();
  const seen: bigint[] = [];
  const stream = queries.watchBalances({}, { signal: abort.signal });
  for await (const update of stream) {
    seen.push(update.summary!.totals!.currencies[0]!.raisedMinor);
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
