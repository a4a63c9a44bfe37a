// Browser test of the dashboard against a real ledgerd.
//
// Starts ledgerd on a temporary data directory (port 0) and the dashboard
// server (port 0), records events with the real ledgerctl, and drives Debian's
// headless Chromium through playwright-core:
//   * the page shows the right totals, funds, branches, activity and head;
//   * a new donation appears without a reload (WatchBalances);
//   * with ledgerd stopped the page shows an alert banner;
//   * after ledgerd restarts on the same data directory the page recovers and
//     follows new events again;
//   * (second test) a fund registered --sensitive: its id, and every event id,
//     appear nowhere in the page (DOM, attributes included, at any moment of
//     the load) nor in any response the page received (raw bytes); partial
//     and whole reversals read as they are; a branch that has paid nothing
//     owes its fee on the day it affiliates.
// Screenshots go to tests/browser/out/.
//
// Run from clients/dashboard: npm run build && npm run test:browser
// Environment: LEDGERD, LEDGERCTL (default <repo>/build/ledgerd, ledgerctl),
// CHROMIUM (default /usr/bin/chromium), DASHBOARD_NODE (the Node that runs the
// dashboard server, default this one: e.g. Debian 12's own Node 18, while the
// test itself runs on the Node 20 playwright needs).

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, createWriteStream, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const dashboardDir = join(repo, "clients", "dashboard");
const outDir = join(here, "out");
const LEDGERD = process.env.LEDGERD || join(repo, "build", "ledgerd");
const LEDGERCTL = process.env.LEDGERCTL || join(repo, "build", "ledgerctl");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const DASHBOARD_NODE = process.env.DASHBOARD_NODE || process.execPath;

// playwright-core is installed in clients/dashboard/node_modules.
const { chromium } = createRequire(join(dashboardDir, "package.json"))("playwright-core");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// ------------------------------------------------------------------ processes

/** Every child process this test started; all are killed at the end. */
const children = new Set();

function startProcess(name, cmd, args, logFile) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const log = createWriteStream(logFile, { flags: "a" });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.exitPromise = new Promise((res) => {
    child.on("exit", (code, signal) => {
      children.delete(child);
      log.end();
      res({ code, signal });
    });
  });
  child.on("error", (err) => log.write(`${name}: spawn error: ${err.message}\n`));
  return child;
}

/** SIGTERM, then SIGKILL after graceMs. Resolves with how it exited. */
async function stopProcess(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitPromise;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  const result = await child.exitPromise;
  clearTimeout(timer);
  return result;
}

function killAllNow() {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}
process.on("exit", killAllNow);
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    killAllNow();
    process.exit(130);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
}

// ------------------------------------------------------------------ ledgerd, ledgerctl

let tmp;
let ledgerLog;

function tmpDir() {
  tmp ??= mkdtempSync(join(tmpdir(), "dashboard-browser-"));
  return tmp;
}

// The ledgers' private key file, made once per run outside every data
// directory.
let keyFile;
async function privateKeyFile() {
  if (!keyFile) {
    keyFile = join(tmpDir(), "ledger.key");
    await new Promise((resolve, reject) =>
      execFile(LEDGERCTL, ["key", "create", keyFile], (err) => (err ? reject(err) : resolve())),
    );
  }
  return keyFile;
}

// The founding admin's token of the ledger started last: ledgerd writes it
// beside a new data directory (DATA_DIR.token); ledgerctl and the dashboard
// call with it.
let tokenFile;

async function startLedgerd(dataDir, listen, logFile = ledgerLog, extraArgs = []) {
  const portFile = join(tmpDir(), `port-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const key = await privateKeyFile();
  const child = startProcess(
    "ledgerd",
    LEDGERD,
    [
      "--data_dir",
      dataDir,
      "--private_key_file",
      key,
      "--listen",
      listen,
      "--port_file",
      portFile,
      ...extraArgs,
    ],
    logFile,
  );
  const port = await waitFor(
    "ledgerd's port file",
    async () => {
      if (child.exitCode !== null) throw new Error(`ledgerd exited with ${child.exitCode}`);
      if (!existsSync(portFile)) return undefined;
      const text = readFileSync(portFile, "utf8").trim();
      return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
    },
    30_000,
  );
  if (existsSync(`${dataDir}.token`)) tokenFile = `${dataDir}.token`;
  return { child, port };
}

function ledgerctl(port, ...args) {
  return new Promise((res, rej) => {
    execFile(
      LEDGERCTL,
      ["--server", `127.0.0.1:${port}`, ...args],
      { timeout: 30_000, env: { ...process.env, LEDGER_TOKEN_FILE: tokenFile } },
      (err, stdout, stderr) => {
        if (err) {
          rej(new Error(`ledgerctl ${args.join(" ")} failed (${err.code ?? err.signal}): ${stderr || stdout}`));
        } else {
          res(stdout);
        }
      },
    );
  });
}

// The dashboard with a viewer's token (the page's activity list needs one):
// ledgerd answers a viewer without private details, sensitive fund ids or
// event ids, and the proxy passes that on as it is.
async function startDashboard(ledgerPort, logFile, viewerToken) {
  const child = spawn(
    DASHBOARD_NODE,
    [join(dashboardDir, "server.js"), "--ledger", `127.0.0.1:${ledgerPort}`, "--listen", "127.0.0.1:0",
      "--token-file", viewerToken],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.add(child);
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr.pipe(log, { end: false });
  child.exitPromise = new Promise((res) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      log.end();
      res({ code, signal });
    }),
  );
  let stdout = "";
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`dashboard printed no URL; stdout: ${stdout}`)), 20_000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      log.write(chunk);
      const m = /^dashboard listening on (http:\/\/127\.0\.0\.1:(\d+)\/)$/m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`dashboard exited with ${code}; stdout: ${stdout}`));
    });
  });
  return { child, url };
}

// ------------------------------------------------------------------ page helpers

async function text(page, selector) {
  return page.evaluate((sel) => {
    const node = document.querySelector(sel);
    return node ? node.textContent.replace(/\s+/g, " ").trim() : null;
  }, selector);
}

async function waitForText(page, selector, expected, timeoutMs = 20_000) {
  try {
    await page.waitForFunction(
      ([sel, want]) => {
        const node = document.querySelector(sel);
        return node && node.textContent.replace(/\s+/g, " ").trim() === want;
      },
      [selector, expected],
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (e) {
    const actual = await text(page, selector).catch(() => "(page gone)");
    throw new Error(`${selector}: wanted "${expected}", page shows "${actual}" (${e.message.split("\n")[0]})`);
  }
}

const cell = (table, rowAttr, col) => `#${table} tr[${rowAttr}] td[data-col="${col}"]`;

async function bannerVisible(page) {
  return page.evaluate(() => {
    const region = document.querySelector('[role="alert"]');
    const box = region?.querySelector(".banner");
    if (!box) return false;
    const r = box.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(box).visibility !== "hidden";
  });
}

// ------------------------------------------------------------------ the test

after(() => {
  killAllNow();
  if (tmp && !process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
});

test("dashboard shows live ledger balances and survives a ledgerd restart", { timeout: 240_000 }, async (t) => {
  for (const [what, path] of [
    ["ledgerd (set LEDGERD)", LEDGERD],
    ["ledgerctl (set LEDGERCTL)", LEDGERCTL],
    ["chromium (apt-get install chromium, or set CHROMIUM)", CHROMIUM],
    ["the built dashboard (npm run build)", join(dashboardDir, "dist", "server.js")],
  ]) {
    assert.ok(existsSync(path), `missing ${what}: ${path}`);
  }
  mkdirSync(outDir, { recursive: true });
  tmpDir();
  ledgerLog = join(outDir, "ledgerd.log");
  rmSync(ledgerLog, { force: true });
  rmSync(join(outDir, "dashboard.log"), { force: true });
  const dataDir = join(tmp, "ledger");

  // 1. ledgerd (signing checkpoints, one witness configured), then the books
  // of a small campaign.
  const key = join(tmp, "checkpoint.key");
  const witnessKey = join(tmp, "w1.key");
  await ledgerctl(0, "key", "generate", "--output", key);
  await ledgerctl(0, "key", "generate", "--output", witnessKey);
  writeFileSync(join(tmp, "witnesses"), await ledgerctl(0, "key", "show", witnessKey, "--name", "w1.example", "--witness"));
  const signing = ["--checkpoint_key", key, "--witness_keys", join(tmp, "witnesses"), "--checkpoint_interval_ms", "200"];
  let ledgerd = await startLedgerd(dataDir, "127.0.0.1:0", ledgerLog, signing);
  const port = ledgerd.port;
  const recordedIds = [];
  const ctl = async (...args) => {
    const out = await ledgerctl(port, ...args);
    const m = /\(event id ([a-z0-9._-]+)\)/.exec(out);
    if (m) recordedIds.push(m[1]);
    return out;
  };

  await ctl("beneficiary", "add", "lawyer-a", "--name", "Legal aid for Selin", "--purpose", "Defence lawyer fees");
  await ctl("beneficiary", "add", "friend-x", "--name", "Friend X", "--purpose", "Bail for X in Yarovsk", "--sensitive");
  await ctl("branch", "affiliate", "unison-leeds", "--union", "UNISON", "--branch-name", "Leeds Health",
    "--region", "Yorkshire", "--members", "120", "--fee", "10.00 GBP", "--period", "monthly");
  await ctl("branch", "affiliate", "unite-bristol", "--union", "Unite", "--branch-name", "Bristol Community",
    "--members", "40", "--fee-per-member", "0.50 GBP", "--minimum", "5.00 GBP", "--period", "quarterly",
    "--on", "2020-01-15");
  await ctl("branch", "pay-fee", "unison-leeds", "30.00", "GBP", "--periods", "3");
  await ctl("donate", "25.00", "GBP", "--to", "lawyer-a", "--donor", "individual", "--donor-ref", "donor-ref-17");
  await ctl("donate", "100.00", "GBP", "--donor", "branch", "--branch", "unite-bristol");
  await ctl("donate", "5000", "JPY", "--donor", "anonymous", "--event-id", "don-jpy");
  await ctl("donate", "12.345", "KWD", "--to", "friend-x", "--donor", "organisation", "--donor-ref", "org-ref-9");
  await ctl("allocate", "lawyer-a", "40.00", "GBP");
  // Two to sign: a payment out is requested (the money committed), approved
  // by another member, then paid.
  const approverToken = join(tmp, "approver-1.token");
  await ctl("member", "add", "approver-1", "--role", "approver", "--name", "Committee member"); // 12
  await ctl("token", "issue", "approver-1", "--output", approverToken); // 13
  await ctl("disburse", "lawyer-a", "30.00", "GBP", "--purpose", "lawyer fees", "--payee", "Av. Kaya",
    "--request-id", "req-lawyer-1"); // 14
  await ctl("--token-file", approverToken, "approve", "req-lawyer-1", "--note", "invoice seen"); // 15
  await ctl("pay", "req-lawyer-1", "--reference", "BANK-REF-1"); // 16
  await ctl("reverse", "don-jpy", "--kind", "refund", "--reason", "donor asked", "--amount", "1000 JPY"); // 17
  // The committee page's own member, a viewer.
  const viewerToken = join(tmp, "page.token");
  await ctl("member", "add", "page-1", "--role", "viewer", "--name", "Committee page"); // 18
  await ctl("token", "issue", "page-1", "--output", viewerToken); // 19
  // Genesis + 18 events.
  const expectedHead = "19";

  // 2. The dashboard server and the browser.
  const dashboard = await startDashboard(port, join(outDir, "dashboard.log"), viewerToken);
  const profile = mkdtempSync(join(tmp, "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
  t.after(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  let navigations = 0;
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) navigations++;
  });

  await page.goto(dashboard.url, { timeout: 30_000 });
  await page.evaluate(() => {
    window.__noReloadMarker = "still here";
  });

  // 3. The right balances.
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "raised"), "£155.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "disbursed"), "£30.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "held"), "£125.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "committed"), "£0.00");
  await waitForText(page, cell("totals-table", 'data-currency="JPY"', "raised"), "JP¥4,000");
  await waitForText(page, cell("general-table", 'data-currency="JPY"', "available"), "JP¥4,000");
  await waitForText(page, cell("totals-table", 'data-currency="KWD"', "held"), "KWD 12.345");

  await waitForText(page, cell("general-table", 'data-currency="GBP"', "received"), "£130.00");
  await waitForText(page, cell("general-table", 'data-currency="GBP"', "allocated"), "£40.00");
  await waitForText(page, cell("general-table", 'data-currency="GBP"', "available"), "£90.00");

  const lawyer = 'data-fund="lawyer-a"][data-currency="GBP"';
  await waitForText(page, cell("funds-table", lawyer, "received"), "£65.00");
  await waitForText(page, cell("funds-table", lawyer, "disbursed"), "£30.00");
  await waitForText(page, cell("funds-table", lawyer, "committed"), "£0.00");
  await waitForText(page, cell("funds-table", lawyer, "available"), "£35.00");
  // friend-x is sensitive: the page knows it only by its alias (registered at position 3).
  await waitForText(page, cell("funds-table", 'data-fund="fund@3"][data-currency="KWD"', "available"), "KWD 12.345");

  await waitForText(page, cell("branches-table", 'data-branch="unison-leeds"', "status") + " .tag", "Paid up");
  await waitForText(page, cell("branches-table", 'data-branch="unison-leeds"', "fees"), "£30.00");
  await waitForText(page, cell("branches-table", 'data-branch="unite-bristol"', "status") + " .tag", "In arrears");
  await waitForText(page, cell("branches-table", 'data-branch="unite-bristol"', "donations"), "£100.00");

  await waitForText(page, "#head-position", expectedHead);
  await waitForText(page, "#chain-status", "✓ chain verified");
  const act = (p, sel) => `#activity-table tr[data-position="${p}"] ${sel}`;
  await waitForText(page, act(14, 'td[data-col="event"] .kind'), "Payment requested");
  await waitForText(page, act(14, 'td[data-col="event"] .detail'), "From Legal aid for Selin; committed until paid, rejected or cancelled");
  await waitForText(page, act(14, 'td[data-col="amount"]'), "£30.00");
  await waitForText(page, act(15, 'td[data-col="event"] .kind'), "Payment approved");
  await waitForText(page, act(15, 'td[data-col="event"] .detail'), "For request #14");
  // Governance rows say what changed, never which member.
  await waitForText(page, act(18, 'td[data-col="event"] .kind'), "Member added");
  await waitForText(page, act(18, 'td[data-col="event"] .detail'), "Roles: viewer");
  await waitForText(page, act(19, 'td[data-col="event"] .kind'), "Token issued");
  await waitForText(page, act(15, 'td[data-col="amount"]'), "—");
  await waitForText(page, act(16, 'td[data-col="amount"]'), "£30.00");
  await waitForText(page, act(16, 'td[data-col="event"] .kind'), "Disbursement");
  await waitForText(page, act(16, 'td[data-col="event"] .detail'), "Paid out for Legal aid for Selin, request #14");
  await waitForText(page, act(17, 'td[data-col="event"] .kind'), "Reversal (refund)");
  // A partial reversal: its own amount; the original keeps its amount, is
  // not struck through, and says how much of it was refunded.
  await waitForText(page, act(17, 'td[data-col="amount"]'), "JP¥1,000");
  await waitForText(page, act(17, 'td[data-col="event"] .detail'), "Of #9 (Donation), JP¥1,000 of JP¥5,000");
  await waitForText(page, '#activity-table tr[data-position="9"] td[data-col="event"] .tag', "partly reversed by #17");
  await waitForText(page, '#activity-table tr[data-position="9"] td[data-col="event"] .note', "JP¥1,000 of it refunded");
  await waitForText(page, '#activity-table tr[data-position="9"] td[data-col="amount"]', "JP¥5,000");
  assert.equal(await page.evaluate(() => document.querySelector('#activity-table tr[data-position="9"]').classList.contains("reversed")), false);
  await waitForText(page, '#activity-table tr[data-position="11"] td[data-col="event"] .detail', "General fund to Legal aid for Selin");
  assert.match(await text(page, "#head-hash"), /^[0-9a-f]{12}$/);

  // Privacy: sensitive purposes and donor references never reach the page.
  const body = await text(page, "body");
  assert.ok(body.includes("Friend X"), "sensitive fund shown by display name");
  assert.ok(!body.includes("Yarovsk"), "sensitive purpose hidden");
  assert.ok(body.includes("Defence lawyer fees"), "non-sensitive purpose shown");
  for (const secret of ["donor-ref-17", "org-ref-9", "Av. Kaya", "donor asked", "invoice seen", "BANK-REF-1", "Committee member"]) {
    assert.ok(!body.includes(secret), `${secret} must not be shown`);
  }
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  for (const secret of ["friend-x", "Yarovsk", "don-jpy", "req-lawyer-1", ...recordedIds]) {
    assert.ok(!html.includes(secret), `${secret} must not be in the page`);
  }
  assert.equal(await bannerVisible(page), false, "no banner while ledgerd is up");

  // Accessibility basics: real tables with captions and header scopes.
  const tables = await page.evaluate(() =>
    [...document.querySelectorAll("table")].map((t) => ({
      caption: !!t.caption?.textContent.trim(),
      colHeaders: t.querySelectorAll('thead th[scope="col"]').length,
    })),
  );
  assert.ok(tables.length >= 5);
  for (const t of tables) assert.ok(t.caption && t.colHeaders >= 3, JSON.stringify(t));

  // 4. A payment requested and not yet approved: its money is committed,
  // no longer available, still held; nothing is disbursed yet. Read back
  // from the page without a reload.
  const committedBefore = await text(page, cell("totals-table", 'data-currency="GBP"', "committed"));
  await ctl("disburse", "lawyer-a", "5.00", "GBP", "--purpose", "travel to court", "--payee", "Av. Kaya",
    "--request-id", "req-lawyer-2"); // 20
  await waitForText(page, "#head-position", "20");
  await waitForText(page, cell("funds-table", lawyer, "committed"), "£5.00");
  await waitForText(page, cell("funds-table", lawyer, "available"), "£30.00");
  const pending = await page.evaluate((sel) => {
    const read = (col) => document.querySelector(`${sel} td[data-col="${col}"]`).textContent.trim();
    return { received: read("received"), disbursed: read("disbursed"), committed: read("committed"), available: read("available") };
  }, '#funds-table tr[data-fund="lawyer-a"][data-currency="GBP"]');
  assert.equal(committedBefore, "£0.00");
  assert.deepEqual(pending, { received: "£65.00", disbursed: "£30.00", committed: "£5.00", available: "£30.00" });
  const minor = (s) => BigInt(s.replace(/^£/, "").replace(/,/g, "").replace(".", ""));
  assert.equal(minor(pending.received) - minor(pending.disbursed) - minor(pending.committed), minor(pending.available),
    "received - disbursed - committed = available");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "committed"), "£5.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "disbursed"), "£30.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "held"), "£125.00");
  await waitForText(page, act(20, 'td[data-col="event"] .kind'), "Payment requested");
  await waitForText(page, act(20, 'td[data-col="amount"]'), "£5.00");
  assert.match(await text(page, "#funds-chart"), /£30\.00 available of £65\.00, £5\.00 committed/);

  // 5. A new donation shows up without a reload.
  await ctl("donate", "10.00", "GBP", "--to", "lawyer-a", "--donor", "anonymous"); // 21
  await waitForText(page, cell("funds-table", lawyer, "available"), "£40.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "raised"), "£165.00");
  // The chart of money in by month follows within seconds (every event is dated today).
  await waitForText(page, "#flow-GBP-table tbody tr:last-child td:nth-child(2)", "£165.00");
  await waitForText(page, "#head-position", "21");
  await waitForText(page, '#activity-table tr[data-position="21"] td[data-col="amount"]', "£10.00");
  await waitForText(page, "#chain-status", "✓ chain verified");
  // The signed-checkpoint badge: no witness yet, then one cosigns.
  await page.waitForFunction(
    () => /^checkpoint 21, cosigned by 0 of 1 witnesses, \d+ s old$/.test(document.querySelector("#checkpoint-text")?.textContent ?? ""),
    undefined,
    { timeout: 20_000, polling: 200 },
  );
  const vkey = JSON.parse(await ledgerctl(port, "--json", "checkpoint", "--key")).verifier_key;
  await ledgerctl(port, "witness", "--state", join(tmp, "w1-state"), "--key", witnessKey, "--name", "w1.example", "--log-key", vkey);
  await page.waitForFunction(
    () => /^checkpoint 21, cosigned by 1 of 1 witness, \d+ s old$/.test(document.querySelector("#checkpoint-text")?.textContent ?? ""),
    undefined,
    { timeout: 45_000, polling: 200 },
  );
  assert.equal(await page.getAttribute("#checkpoint-badge", "data-state"), "cosigned");
  assert.equal(await page.evaluate(() => window.__noReloadMarker), "still here", "page was not reloaded");
  assert.equal(navigations, 1, "one navigation only");
  await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(outDir, "dashboard-phone.png"), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone screen`);
  // The money tables, Committed column included, fit a phone without
  // scrolling sideways.
  const wide = await page.evaluate(() =>
    ["totals-table", "general-table", "funds-table"]
      .map((id) => document.getElementById(id))
      .filter((t) => t.parentElement.scrollWidth > t.parentElement.clientWidth)
      .map((t) => `${t.id}: ${t.parentElement.scrollWidth} > ${t.parentElement.clientWidth}`),
  );
  assert.deepEqual(wide, [], "tables wider than a phone screen");
  await page.setViewportSize({ width: 1280, height: 900 });

  // 6. ledgerd stops: the banner appears, the last figures stay.
  const stopped = await stopProcess(ledgerd.child);
  assert.equal(stopped.signal ?? "exit", "exit", `ledgerd died from ${stopped.signal} instead of exiting on SIGTERM`);
  await page.waitForSelector('[role="alert"] .banner', { state: "visible", timeout: 30_000 });
  assert.match(await text(page, '[role="alert"]'), /cannot be reached/);
  await waitForText(page, "#conn-status", "Offline");
  assert.equal(await text(page, cell("funds-table", lawyer, "available")), "£40.00");
  await page.screenshot({ path: join(outDir, "dashboard-offline.png"), fullPage: true });

  // 7. ledgerd starts again on the same data directory and port: the page recovers.
  ledgerd = await startLedgerd(dataDir, `127.0.0.1:${port}`, ledgerLog, signing);
  assert.equal(ledgerd.port, port);
  await page.waitForSelector('[role="alert"] .banner', { state: "detached", timeout: 45_000 });
  await waitForText(page, "#conn-status", "Live");
  await waitForText(page, cell("funds-table", lawyer, "available"), "£40.00");
  await waitForText(page, cell("funds-table", lawyer, "committed"), "£5.00");
  await waitForText(page, "#chain-status", "✓ chain verified");
  await ctl("donate", "5.00", "GBP", "--to", "lawyer-a", "--donor", "individual"); // 22
  await waitForText(page, cell("funds-table", lawyer, "available"), "£45.00");
  await waitForText(page, "#head-position", "22");
  assert.equal(await page.evaluate(() => window.__noReloadMarker), "still here", "page was not reloaded");
  await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");

  // 8. Everything stops cleanly.
  await context.close();
  const dash = await stopProcess(dashboard.child, 5_000);
  assert.equal(dash.code, 0, "dashboard exits 0 on SIGTERM");
  const led = await stopProcess(ledgerd.child);
  assert.equal(led.signal ?? "exit", "exit", "ledgerd exits on SIGTERM");
});

// ------------------------------------------------------------------ privacy

test("the public page never carries a sensitive fund's id or any event id; reversals read as they are", { timeout: 240_000 }, async (t) => {
  for (const path of [LEDGERD, LEDGERCTL, CHROMIUM, join(dashboardDir, "dist", "server.js")]) {
    assert.ok(existsSync(path), `missing ${path}`);
  }
  mkdirSync(outDir, { recursive: true });
  const logFile = join(outDir, "ledgerd-privacy.log");
  const dashLog = join(outDir, "dashboard-privacy.log");
  rmSync(logFile, { force: true });
  rmSync(dashLog, { force: true });
  const dataDir = join(tmpDir(), "ledger-privacy");
  const ledgerd = await startLedgerd(dataDir, "127.0.0.1:0", logFile);

  // Every event gets a distinctive id of our choosing, so that the test can
  // look for each of them in everything the page received.
  const SECRET = "ak-sensitive-7f3";
  const CLOSED_SECRET = "ak-closed-2b9";
  const eventIds = [];
  let expectedPosition = 1n; // genesis
  const record = async (...args) => {
    const id = `ev${String(eventIds.length + 1).padStart(2, "0")}-q8z7k`;
    const out = await ledgerctl(ledgerd.port, ...args, "--event-id", id);
    expectedPosition++;
    assert.match(out, new RegExp(`at position ${expectedPosition} \\(event id ${id}\\)`), out);
    eventIds.push(id);
    return id;
  };
  const today = new Date().toISOString().slice(0, 10); // ledgerd's today is UTC

  await record("beneficiary", "add", SECRET, "--name", "Friend K", "--purpose", "Bail for K in Yarovsk", "--sensitive"); // 2
  await record("beneficiary", "add", "lawyer-b", "--name", "Legal aid for Deniz", "--purpose", "Appeal costs"); // 3
  await record("beneficiary", "add", CLOSED_SECRET, "--name", "Friend Z", "--purpose", "Rent for Z", "--sensitive"); // 4
  await record("beneficiary", "close", CLOSED_SECRET, "--reason", "Z left the country"); // 5
  const oldGift = await record("donate", "80.00", "GBP", "--to", SECRET, "--donor", "individual", "--donor-ref", "donor-ref-k1"); // 6
  await record("donate", "200.00", "GBP", "--donor", "anonymous"); // 7
  for (let i = 0; i < 20; i++) await record("donate", "1.00", "GBP", "--to", "lawyer-b", "--donor", "anonymous"); // 8..27
  const gift = await record("donate", "50.00", "GBP", "--to", SECRET, "--donor", "organisation", "--donor-ref", "org-ref-k2"); // 28
  await record("allocate", SECRET, "40.00", "GBP"); // 29
  // Two to sign: requested here, approved and paid at 39 and 40.
  await record("disburse", SECRET, "30.00", "GBP", "--purpose", "bail bond", "--payee", "Av. Kaya",
    "--request-id", "rq-bail-5k2x"); // 30
  await record("reverse", gift, "--kind", "refund", "--reason", "org asked", "--amount", "10.00 GBP"); // 31: part
  const dup = await record("donate", "25.00", "GBP", "--to", "lawyer-b", "--donor", "anonymous"); // 32
  await record("reverse", dup, "--kind", "duplicate", "--reason", "entered twice"); // 33: whole
  await record("reverse", oldGift, "--kind", "correction", "--reason", "wrong fund"); // 34: whole, target outside the window
  await record("beneficiary", "update", SECRET, "--name", "Friend K."); // 35
  await record("branch", "affiliate", "gmb-hull", "--union", "GMB", "--branch-name", "Hull", "--fee", "8.00 GBP",
    "--period", "monthly", "--on", today); // 36: nothing paid yet
  const approverToken = join(tmpDir(), "approver-privacy.token");
  await record("member", "add", "approver-1", "--role", "approver", "--name", "Member Q"); // 37
  await record("token", "issue", "approver-1", "--output", approverToken, "--label", "label-q4"); // 38
  await record("--token-file", approverToken, "approve", "rq-bail-5k2x", "--note", "note-k7"); // 39
  await record("pay", "rq-bail-5k2x", "--reference", "bank-ref-k8"); // 40
  // A request left pending: its money committed.
  await record("disburse", SECRET, "5.00", "GBP", "--purpose", "visit in Yarovsk", "--payee", "Av. Kaya",
    "--request-id", "rq-visit-5k2x"); // 41
  // A request rejected: its money released.
  await record("disburse", "lawyer-b", "3.00", "GBP", "--purpose", "copies", "--payee", "payee-k3",
    "--request-id", "rq-copies-5k2x"); // 42
  await record("--token-file", approverToken, "reject", "rq-copies-5k2x", "--reason", "reject-why-k9"); // 43
  const viewerToken = join(tmpDir(), "page-privacy.token");
  await record("member", "add", "page-2", "--role", "viewer", "--name", "Committee page"); // 44
  await record("token", "issue", "page-2", "--output", viewerToken); // 45
  assert.equal(expectedPosition, 45n);

  const forbidden = [SECRET, CLOSED_SECRET, ...eventIds, "Yarovsk", "donor-ref-k1", "org-ref-k2", "Av. Kaya", "org asked",
    "rq-bail-5k2x", "rq-visit-5k2x", "rq-copies-5k2x", "note-k7", "bank-ref-k8", "payee-k3", "reject-why-k9", "Member Q", "label-q4"];

  const dashboard = await startDashboard(ledgerd.port, dashLog, viewerToken);
  const profile = mkdtempSync(join(tmpDir(), "chromium-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1400 },
    timeout: 30_000,
  });
  t.after(() => context.close().catch(() => {}));

  // Watch the DOM from before the page's first script: nothing forbidden may
  // appear even for a moment, and activity may never show a fund by alias
  // (it would if it were drawn before the names arrived).
  await context.addInitScript((words) => {
    window.__leaks = [];
    const check = (text, where) => {
      if (!text) return;
      for (const w of words) if (text.includes(w)) window.__leaks.push(`${where}: ${w}`);
    };
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        if (m.type === "attributes") check(m.target.getAttribute(m.attributeName), `attribute ${m.attributeName}`);
        else if (m.type === "characterData") check(m.target.data, "text");
        else for (const n of m.addedNodes) check(n.nodeType === 1 ? n.outerHTML : n.textContent, "node");
      }
      // Drawn before the names: a fund would read as its alias, or as the
      // page's stand-in for a name it does not know.
      for (const d of document.querySelectorAll("#activity-table .detail")) {
        if (/fund@|\ba fund\b/.test(d.textContent)) window.__leaks.push(`activity without names: ${d.textContent}`);
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }, forbidden);

  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // Every response the page receives, raw.
  const responses = [];
  page.on("response", (res) => {
    responses.push({
      url: res.url(),
      body: res.body().then(
        (b) => b,
        (e) => e,
      ),
    });
  });

  // The reviewer's load race: the events arrive before the names. Hold the
  // names (the WatchBalances stream) back for a while to make it certain.
  await page.route("**/solidarity.ledger.v1.LedgerQueries/WatchBalances", async (route) => {
    await sleep(1500);
    await route.continue();
  });

  await page.goto(dashboard.url, { timeout: 30_000 });

  // The sensitive fund by its display name and alias only.
  const secretRow = 'data-fund="fund@2"][data-currency="GBP"';
  await waitForText(page, cell("funds-table", secretRow, "available"), "£45.00");
  await waitForText(page, cell("funds-table", secretRow, "disbursed"), "£30.00");
  await waitForText(page, cell("funds-table", secretRow, "committed"), "£5.00");
  await waitForText(page, cell("funds-table", 'data-fund="lawyer-b"][data-currency="GBP"', "committed"), "£0.00");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "committed"), "£5.00");
  await waitForText(page, `#funds-table tr[${secretRow}] th .name`, "Friend K.");
  await waitForText(page, '#funds-table tr[data-fund="fund@4"] th .name', "Friend Z");
  await waitForText(page, cell("funds-table", 'data-fund="lawyer-b"][data-currency="GBP"', "available"), "£20.00");
  await waitForText(page, cell("branches-table", 'data-branch="gmb-hull"', "status") + " .tag", "Fee due");

  // Activity, named.
  const row = (p, sel) => `#activity-table tr[data-position="${p}"] ${sel}`;
  await waitForText(page, "#head-position", "45");
  await waitForText(page, row(43, 'td[data-col="event"] .kind'), "Payment rejected");
  await waitForText(page, row(43, 'td[data-col="event"] .detail'), "Request #42; the money returns to Legal aid for Deniz");
  await waitForText(page, row(43, 'td[data-col="amount"]'), "£3.00");
  await waitForText(page, row(41, 'td[data-col="event"] .detail'), "From Friend K.; committed until paid, rejected or cancelled");
  await waitForText(page, row(41, 'td[data-col="amount"]'), "£5.00");
  await waitForText(page, row(40, 'td[data-col="event"] .detail'), "Paid out for Friend K., request #30");
  await waitForText(page, row(40, 'td[data-col="amount"]'), "£30.00");
  await waitForText(page, row(39, 'td[data-col="event"] .kind'), "Payment approved");
  await waitForText(page, row(39, 'td[data-col="event"] .detail'), "For request #30");
  await waitForText(page, row(30, 'td[data-col="event"] .kind'), "Payment requested");
  await waitForText(page, row(36, 'td[data-col="event"] .kind'), "Branch affiliated");
  await waitForText(page, row(35, 'td[data-col="event"] .detail'), "Friend K.");
  await waitForText(page, row(30, 'td[data-col="event"] .detail'), "From Friend K.; committed until paid, rejected or cancelled");
  await waitForText(page, row(30, 'td[data-col="amount"]'), "£30.00");
  await waitForText(page, row(29, 'td[data-col="event"] .detail'), "General fund to Friend K.");
  // Partial reversal: its own amount; the original keeps its amount, is not
  // struck through, and notes the refund.
  await waitForText(page, row(31, 'td[data-col="event"] .kind'), "Reversal (refund)");
  await waitForText(page, row(31, 'td[data-col="amount"]'), "£10.00");
  await waitForText(page, row(31, 'td[data-col="event"] .detail'), "Of #28 (Donation), £10.00 of £50.00");
  await waitForText(page, row(28, 'td[data-col="amount"]'), "£50.00");
  await waitForText(page, row(28, 'td[data-col="event"] .tag'), "partly reversed by #31");
  await waitForText(page, row(28, 'td[data-col="event"] .note'), "£10.00 of it refunded");
  await waitForText(page, row(28, 'td[data-col="event"] .detail:not(.note)'), "From an organisation, to Friend K.");
  // Whole reversals: the original's amount; the original struck through.
  await waitForText(page, row(33, 'td[data-col="amount"]'), "£25.00");
  await waitForText(page, row(33, 'td[data-col="event"] .detail'), "Of #32 (Donation), in full");
  await waitForText(page, row(32, 'td[data-col="event"] .tag'), "reversed by #33");
  // The target of #34 is outside the 20 events shown: fetched by position.
  await waitForText(page, row(34, 'td[data-col="amount"]'), "£80.00");
  await waitForText(page, row(34, 'td[data-col="event"] .detail'), "Of #6 (Donation), in full");
  const struck = await page.evaluate(() =>
    [...document.querySelectorAll("#activity-table tbody tr")]
      .filter((tr) => tr.classList.contains("reversed"))
      .map((tr) => tr.dataset.position),
  );
  assert.deepEqual(struck, ["32"], "only the wholly reversed event in view is struck through");
  const strike = await page.evaluate(
    () => getComputedStyle(document.querySelector('#activity-table tr[data-position="32"] td:last-child')).textDecorationLine,
  );
  assert.equal(strike, "line-through");
  await waitForText(page, "#chain-status", "✓ chain verified");
  const hashes = await page.evaluate(() => ({
    short: document.querySelector("#head-hash").textContent,
    full: document.querySelector("#head-hash").title,
  }));
  assert.match(hashes.short, /^[0-9a-f]{12}$/);
  assert.match(hashes.full, /^SHA-256 [0-9a-f]{64}$/);
  await page.screenshot({ path: join(outDir, "dashboard-privacy.png"), fullPage: true });

  // Nothing forbidden in the DOM, attributes included, now or at any moment before.
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  for (const w of forbidden) assert.ok(!html.includes(w), `the page holds "${w}"`);
  assert.deepEqual(await page.evaluate(() => window.__leaks), [], "nothing forbidden appeared during the load");
  assert.ok(html.includes("Friend K."), "the check sees the page");

  // Nothing forbidden in any response. The WatchBalances stream ends (and
  // its body becomes readable) when ledgerd stops.
  const stopped = await stopProcess(ledgerd.child);
  assert.equal(stopped.signal ?? "exit", "exit");
  await page.waitForSelector('[role="alert"] .banner', { state: "visible", timeout: 30_000 });
  const settled = await Promise.all(
    responses.map(async (r) => ({ url: r.url, body: await Promise.race([r.body, sleep(10_000).then(() => new Error("no body in 10 s"))]) })),
  );
  const read = settled.filter((r) => Buffer.isBuffer(r.body));
  const rpc = (name) => read.filter((r) => r.url.endsWith(`.${name}`));
  assert.ok(rpc("LedgerQueries/WatchBalances").length >= 1, `no WatchBalances body: ${settled.map((r) => `${r.url} ${r.body instanceof Error ? r.body.message : "ok"}`).join("; ")}`);
  assert.ok(rpc("LedgerAudit/ReadEvents").length >= 2, "ReadEvents bodies (the window and the target outside it)");
  assert.ok(rpc("LedgerAudit/GetHead").length >= 1);
  assert.ok(rpc("LedgerAudit/VerifyChain").length >= 1);
  const watch = Buffer.concat(rpc("LedgerQueries/WatchBalances").map((r) => r.body));
  assert.ok(watch.includes(Buffer.from("Friend K.")), "the byte search sees the stream's content");
  assert.ok(watch.includes(Buffer.from("fund@2")), "the stream names the fund by its alias");
  for (const r of read) {
    for (const w of forbidden) {
      assert.ok(!r.body.includes(Buffer.from(w, "utf8")), `${r.url} carries "${w}"`);
    }
  }
  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");

  await context.close();
  assert.equal((await stopProcess(dashboard.child, 5_000)).code, 0);
});
