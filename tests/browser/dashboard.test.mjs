// Browser test of the dashboard against a real ledgerd.
//
// Starts ledgerd on a temporary data directory (port 0) and the dashboard
// server (port 0), records events with the real ledgerctl, and drives Debian's
// headless Chromium through playwright-core:
//   * the page shows the right totals, funds, branches, activity and head;
//   * a new donation appears without a reload (WatchBalances);
//   * with ledgerd stopped the page shows an alert banner;
//   * after ledgerd restarts on the same data directory the page recovers and
//     follows new events again.
// Screenshots go to tests/browser/out/.
//
// Run from clients/dashboard: npm run build && npm run test:browser
// Environment: LEDGERD, LEDGERCTL (default <repo>/build/ledgerd, ledgerctl),
// CHROMIUM (default /usr/bin/chromium).

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, createWriteStream } from "node:fs";
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

async function startLedgerd(dataDir, listen) {
  const portFile = join(tmp, `port-${Date.now()}`);
  const child = startProcess(
    "ledgerd",
    LEDGERD,
    ["--data_dir", dataDir, "--listen", listen, "--port_file", portFile],
    ledgerLog,
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
  return { child, port };
}

function ledgerctl(port, ...args) {
  return new Promise((res, rej) => {
    execFile(
      LEDGERCTL,
      ["--server", `127.0.0.1:${port}`, ...args],
      { timeout: 30_000 },
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

async function startDashboard(ledgerPort, logFile) {
  const child = spawn(
    process.execPath,
    [join(dashboardDir, "server.js"), "--ledger", `127.0.0.1:${ledgerPort}`, "--listen", "127.0.0.1:0"],
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
  tmp = mkdtempSync(join(tmpdir(), "dashboard-browser-"));
  ledgerLog = join(outDir, "ledgerd.log");
  rmSync(ledgerLog, { force: true });
  rmSync(join(outDir, "dashboard.log"), { force: true });
  const dataDir = join(tmp, "ledger");

  // 1. ledgerd, then the books of a small campaign.
  let ledgerd = await startLedgerd(dataDir, "127.0.0.1:0");
  const port = ledgerd.port;
  const ctl = (...args) => ledgerctl(port, ...args);

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
  await ctl("disburse", "lawyer-a", "30.00", "GBP", "--purpose", "lawyer fees", "--payee", "Av. Kaya");
  await ctl("reverse", "don-jpy", "--kind", "refund", "--reason", "donor asked", "--amount", "1000 JPY");
  // Genesis + 12 events.
  const expectedHead = "13";

  // 2. The dashboard server and the browser.
  const dashboard = await startDashboard(port, join(outDir, "dashboard.log"));
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
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "raised"), "155.00 GBP");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "disbursed"), "30.00 GBP");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "held"), "125.00 GBP");
  await waitForText(page, cell("totals-table", 'data-currency="JPY"', "raised"), "4000 JPY");
  await waitForText(page, cell("general-table", 'data-currency="JPY"', "available"), "4000 JPY");
  await waitForText(page, cell("totals-table", 'data-currency="KWD"', "held"), "12.345 KWD");

  await waitForText(page, cell("general-table", 'data-currency="GBP"', "received"), "130.00 GBP");
  await waitForText(page, cell("general-table", 'data-currency="GBP"', "allocated"), "40.00 GBP");
  await waitForText(page, cell("general-table", 'data-currency="GBP"', "available"), "90.00 GBP");

  const lawyer = 'data-fund="lawyer-a"][data-currency="GBP"';
  await waitForText(page, cell("funds-table", lawyer, "received"), "65.00 GBP");
  await waitForText(page, cell("funds-table", lawyer, "disbursed"), "30.00 GBP");
  await waitForText(page, cell("funds-table", lawyer, "available"), "35.00 GBP");
  await waitForText(page, cell("funds-table", 'data-fund="friend-x"][data-currency="KWD"', "available"), "12.345 KWD");

  await waitForText(page, cell("branches-table", 'data-branch="unison-leeds"', "status") + " .tag", "Paid up");
  await waitForText(page, cell("branches-table", 'data-branch="unison-leeds"', "fees"), "30.00 GBP");
  await waitForText(page, cell("branches-table", 'data-branch="unite-bristol"', "status") + " .tag", "In arrears");
  await waitForText(page, cell("branches-table", 'data-branch="unite-bristol"', "donations"), "100.00 GBP");

  await waitForText(page, "#head-position", expectedHead);
  await waitForText(page, "#chain-status", "✓ chain verified");
  await waitForText(page, '#activity-table tr[data-position="12"] td[data-col="amount"]', "30.00 GBP");
  await waitForText(page, '#activity-table tr[data-position="12"] td[data-col="event"] .kind', "Disbursement");
  await waitForText(page, '#activity-table tr[data-position="13"] td[data-col="event"] .kind', "Reversal (refund)");
  await waitForText(page, '#activity-table tr[data-position="13"] td[data-col="amount"]', "1000 JPY");
  await waitForText(page, '#activity-table tr[data-position="9"] td[data-col="event"] .tag', "reversed by #13");
  assert.match(await text(page, "#head-hash"), /^[0-9a-f]{12}$/);

  // Privacy: sensitive purposes and donor references never reach the page.
  const body = await text(page, "body");
  assert.ok(body.includes("Friend X"), "sensitive fund shown by display name");
  assert.ok(!body.includes("Yarovsk"), "sensitive purpose hidden");
  assert.ok(body.includes("Defence lawyer fees"), "non-sensitive purpose shown");
  for (const secret of ["donor-ref-17", "org-ref-9", "Av. Kaya", "donor asked"]) {
    assert.ok(!body.includes(secret), `${secret} must not be shown`);
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

  // 4. A new donation shows up without a reload.
  await ctl("donate", "10.00", "GBP", "--to", "lawyer-a", "--donor", "anonymous");
  await waitForText(page, cell("funds-table", lawyer, "available"), "45.00 GBP");
  await waitForText(page, cell("totals-table", 'data-currency="GBP"', "raised"), "165.00 GBP");
  await waitForText(page, "#head-position", "14");
  await waitForText(page, '#activity-table tr[data-position="14"] td[data-col="amount"]', "10.00 GBP");
  await waitForText(page, "#chain-status", "✓ chain verified");
  assert.equal(await page.evaluate(() => window.__noReloadMarker), "still here", "page was not reloaded");
  assert.equal(navigations, 1, "one navigation only");
  await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(outDir, "dashboard-phone.png"), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a phone screen`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // 5. ledgerd stops: the banner appears, the last figures stay.
  const stopped = await stopProcess(ledgerd.child);
  assert.equal(stopped.signal ?? "exit", "exit", `ledgerd died from ${stopped.signal} instead of exiting on SIGTERM`);
  await page.waitForSelector('[role="alert"] .banner', { state: "visible", timeout: 30_000 });
  assert.match(await text(page, '[role="alert"]'), /cannot be reached/);
  await waitForText(page, "#conn-status", "Offline");
  assert.equal(await text(page, cell("funds-table", lawyer, "available")), "45.00 GBP");
  await page.screenshot({ path: join(outDir, "dashboard-offline.png"), fullPage: true });

  // 6. ledgerd starts again on the same data directory and port: the page recovers.
  ledgerd = await startLedgerd(dataDir, `127.0.0.1:${port}`);
  assert.equal(ledgerd.port, port);
  await page.waitForSelector('[role="alert"] .banner', { state: "detached", timeout: 45_000 });
  await waitForText(page, "#conn-status", "Live");
  await waitForText(page, cell("funds-table", lawyer, "available"), "45.00 GBP");
  await waitForText(page, "#chain-status", "✓ chain verified");
  await ctl("donate", "5.00", "GBP", "--to", "lawyer-a", "--donor", "individual");
  await waitForText(page, cell("funds-table", lawyer, "available"), "50.00 GBP");
  await waitForText(page, "#head-position", "15");
  assert.equal(await page.evaluate(() => window.__noReloadMarker), "still here", "page was not reloaded");
  await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });

  assert.deepEqual(pageErrors, [], "no uncaught errors in the page");

  // 7. Everything stops cleanly.
  await context.close();
  const dash = await stopProcess(dashboard.child, 5_000);
  assert.equal(dash.code, 0, "dashboard exits 0 on SIGTERM");
  const led = await stopProcess(ledgerd.child);
  assert.equal(led.signal ?? "exit", "exit", "ledgerd exits on SIGTERM");
});
