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
import { EVENT_IDS, SENSITIVE_ID, startFakeLedgerd, type FakeLedgerd } from "./fake-ledgerd.js";

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

test("forwards GetCheckpoint: the latest only, note verbatim, no event or fund id", async () => {
  const { audit } = clients();
  const res = await audit.getCheckpoint({ treeSize: 2n });
  assert.ok(fake.calls.includes("GetCheckpoint:0"), "the browser's tree size is not passed on");
  assert.ok(!fake.calls.includes("GetCheckpoint:2"));
  assert.equal(res.checkpoint?.treeSize, 5n);
  assert.equal(res.latestCosigned?.cosignatures[0]?.witness, "w1.example");
  assert.equal(res.witnesses.length, 2);
  assert.match(res.checkpoint?.note ?? "", /^solidarity-ledger\/00112233\n5\n/);
  assert.ok(!JSON.stringify(res, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes(SENSITIVE_ID));
});

test("sensitive beneficiaries: an alias for the id, no purpose; others keep both", async () => {
  const { queries } = clients();
  const res = await queries.listBeneficiaries({});
  assert.deepEqual(
    res.beneficiaries.map((b) => b.beneficiary?.beneficiaryId),
    ["lawyer-a", "fund@3"],
    "sorted by public id, not by the real one",
  );
  const byId = new Map(res.beneficiaries.map((b) => [b.beneficiary?.beneficiaryId, b]));
  assert.equal(byId.get("fund@3")?.beneficiary?.displayName, "Friend X");
  assert.equal(byId.get("fund@3")?.beneficiary?.purpose, "");
  assert.equal(byId.get("fund@3")?.balances[0]?.fund, "beneficiary/fund@3");
  assert.equal(byId.get("lawyer-a")?.beneficiary?.purpose, "legal aid in the capital");
  // By alias: ledgerd is asked for the real id.
  const one = await queries.getBeneficiary({ beneficiaryId: "fund@3" });
  assert.equal(one.beneficiary?.beneficiary?.beneficiaryId, "fund@3");
  assert.equal(one.beneficiary?.beneficiary?.purpose, "");
  // By real id: as if it did not exist.
  await assert.rejects(queries.getBeneficiary({ beneficiaryId: SENSITIVE_ID }), (e: unknown) => {
    const err = ConnectError.from(e);
    assert.equal(err.code, Code.NotFound);
    assert.equal(err.rawMessage, "no such beneficiary");
    return true;
  });
});

test("errors keep their code and ErrorDetail, not the id asked for", async () => {
  const { queries } = clients();
  await assert.rejects(queries.getBeneficiary({ beneficiaryId: "nobody" }), (e: unknown) => {
    const err = ConnectError.from(e);
    assert.equal(err.code, Code.NotFound);
    assert.equal(err.rawMessage, "no such beneficiary");
    const [detail] = err.findDetails(ErrorDetailSchema);
    assert.equal(detail?.reason, "UNKNOWN_BENEFICIARY");
    assert.equal(detail?.field, "beneficiary_id");
    return true;
  });
  await assert.rejects(queries.getBranch({ branchId: "nobody" }), (e: unknown) => {
    assert.equal(ConnectError.from(e).code, Code.NotFound);
    return true;
  });
});

test("ReadEvents is capped and stripped of ids and personal free text", async () => {
  const { audit } = clients();
  const res = await audit.readEvents({ fromPosition: 1n, limit: 1000 });
  assert.ok(fake.calls.includes("ReadEvents:1:100"), fake.calls.join(","));
  const ev = res.events.find((e) => e.position === 4n)!;
  assert.equal(ev.eventId, "");
  assert.equal(ev.memo, "");
  assert.equal(ev.actor, "");
  assert.equal(ev.reversedByPosition, 5n);
  assert.equal(ev.body?.kind.case, "donationReceived");
  if (ev.body?.kind.case === "donationReceived") {
    assert.equal(ev.body.kind.value.donorRef, "");
    assert.equal(ev.body.kind.value.earmarkBeneficiaryId, "fund@3");
    assert.equal(ev.body.kind.value.amount?.amountMinor, 1000n);
  }
  const targets = res.events.flatMap((e) => (e.body?.kind.case === "eventReversed" ? [e.body.kind.value.targetEventId] : []));
  assert.deepEqual(targets, ["event@4", "event@2"]);
});

/** A gRPC-Web client whose every response body is also kept, raw. */
function capturingClients(url: string) {
  const bodies: { url: string; chunks: Uint8Array[] }[] = [];
  const capture: typeof globalThis.fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    const entry = { url: String(input instanceof Request ? input.url : input), chunks: [] as Uint8Array[] };
    bodies.push(entry);
    if (!res.body) return res;
    // Pass the body on chunk by chunk (the watch stream never ends by itself).
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        entry.chunks.push(value);
        controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  const transport = createGrpcWebTransport({
    baseUrl: url.replace(/\/$/, ""),
    useBinaryFormat: true,
    fetch: capture,
  });
  return { bodies, queries: createClient(LedgerQueries, transport), audit: createClient(LedgerAudit, transport) };
}

test("no answer the proxy sends carries a sensitive fund's id or any event id", async () => {
  // A dashboard of its own: nothing learnt or cached from the tests before.
  const fresh = await startDashboard({
    ledger: `127.0.0.1:${fake.port}`,
    listenHost: "127.0.0.1",
    listenPort: 0,
    publicDir,
    log: (l) => logs.push(l),
  });
  after(() => fresh.close());
  const { bodies, queries, audit } = capturingClients(fresh.url);
  const settle = (p: Promise<unknown>) => p.then(() => "ok", (e: unknown) => Code[ConnectError.from(e).code]);
  const outcomes = await Promise.all([
    settle(queries.getSummary({})),
    settle(queries.listBeneficiaries({ includeClosed: true })),
    settle(queries.getBeneficiary({ beneficiaryId: "fund@3" })),
    settle(queries.getBeneficiary({ beneficiaryId: SENSITIVE_ID })),
    settle(queries.getBeneficiary({ beneficiaryId: "lawyer-a" })),
    settle(queries.listBranches({})),
    settle(queries.getBranch({ branchId: "unison-leeds" })),
    settle(queries.getTrialBalance({})),
    settle(audit.getHead({})),
    settle(audit.readEvents({ fromPosition: 4n, limit: 100 })),
    settle(audit.readEvents({ fromPosition: 6n, limit: 1 })),
    settle(audit.verifyChain({})),
    settle(
      (async () => {
        for await (const _ of queries.watchBalances({}, { timeoutMs: 5000 })) break;
      })(),
    ),
  ]);
  assert.deepEqual(outcomes, ["ok", "ok", "ok", "NotFound", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"]);
  assert.ok(bodies.length >= 12, `${bodies.length} bodies captured`);
  for (const { url, chunks } of bodies) {
    const bytes = Buffer.concat(chunks);
    assert.ok(bytes.length > 0, `${url}: no body`);
    for (const secret of [SENSITIVE_ID, ...EVENT_IDS]) {
      assert.ok(!bytes.includes(Buffer.from(secret, "utf8")), `${url} carries "${secret}"`);
    }
  }
  // The target of rev-2 (position 2) is outside both answers: looked up by id.
  assert.ok(fake.calls.includes("GetEvent:reg-lawyer-q8z"), fake.calls.join(","));
  const tb = await queries.getTrialBalance({});
  assert.deepEqual(tb.accounts.map((a) => a.account), ["cash", "fund:beneficiary/lawyer-a", "fund:beneficiary/fund@3"]);
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
