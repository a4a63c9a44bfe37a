// Browser test of the dashboard with a large campaign: 200 funds (ten
// closed, every tenth sensitive), 200 branches (every other one shown to the
// public), 3,000 donations over the last twelve months and two payments,
// against a real ledgerd, in Debian's headless Chromium at 1280×900 and
// 390×844, as the committee (a viewer's token) and as the public (no token).
//
// It checks, with every expected figure worked out here from the seeding
// plan (never read back from ledgerd):
//   * the headline figures (Held, Available) are shown whole: no cell and no
//     page wider than the screen, at both sizes, under a long campaign name;
//   * the charts' tables (what screen readers get) hold the right numbers:
//     money in and out by month, the largest fund's balance, the year's
//     contributions by branch (only the shown branches for the public), and
//     every chart's canvas was drawn;
//   * search, sort, sticky headers and the closed-funds toggle; no date
//     broken over two lines on a phone; the committee's event list
//     (filter by kind and fund, paging); the public page lists no events;
//   * axe-core finds no violation of WCAG 2 A/AA (contrast, headings,
//     labels, names) in either view.
// Screenshots go to tests/browser/out/scale-*.png.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import { createRequire } from "node:module";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const dashboardDir = join(repo, "clients", "dashboard");
const outDir = join(here, "out");
const LEDGERD = process.env.LEDGERD || join(repo, "build", "ledgerd");
const LEDGERCTL = process.env.LEDGERCTL || join(repo, "build", "ledgerctl");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const requireHere = createRequire(join(dashboardDir, "package.json"));
const { chromium } = requireHere("playwright-core");
const AXE = readFileSync(requireHere.resolve("axe-core/axe.min.js"), "utf8");
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const children = new Set();
const killAll = () => {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // gone
    }
  }
};
process.on("exit", killAll);
let tmp;
after(() => {
  killAll();
  if (tmp && !process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
});

// A long campaign name, with a word wider than a phone, must not break the header.
const CAMPAIGN = "Solidarity with the imprisoned oil workers of Zhanaozen — Arbeiterinnenunterstützungskomiteeversammlung 2026";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(cmd, args, logFile) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const log = createWriteStream(logFile, { flags: "a" });
  child.stderr.pipe(log);
  child.exitPromise = new Promise((res) => child.on("exit", (code, signal) => {
    children.delete(child);
    res({ code, signal });
  }));
  return child;
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitPromise;
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const r = await child.exitPromise;
  clearTimeout(t);
  return r;
}

function run(cmd, args, env = {}) {
  return new Promise((res, rej) =>
    execFile(cmd, args, { timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      err ? rej(new Error(`${cmd} ${args.join(" ")}: ${stderr || stdout}`)) : res(stdout)),
  );
}

async function startLedgerd(dataDir, key) {
  const portFile = join(tmp, "ledgerd.port");
  const child = start(LEDGERD, ["--data_dir", dataDir, "--private_key_file", key, "--listen", "127.0.0.1:0",
    // A bulk import: no per-member append rate.
    "--port_file", portFile, "--append_events_per_second", "0", "--ledger_name", CAMPAIGN], join(outDir, "ledgerd-scale.log"));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error("ledgerd exited");
    if (existsSync(portFile) && /^\d+$/.test(readFileSync(portFile, "utf8").trim())) {
      return { child, port: Number(readFileSync(portFile, "utf8").trim()) };
    }
    await sleep(100);
  }
  throw new Error("ledgerd did not start");
}

async function startDashboard(port, tokenFile, name) {
  const args = [join(dashboardDir, "server.js"), "--ledger", `127.0.0.1:${port}`, "--listen", "127.0.0.1:0"];
  if (tokenFile) args.push("--token-file", tokenFile);
  const child = start(process.env.DASHBOARD_NODE || process.execPath, args, join(outDir, `dashboard-scale-${name}.log`));
  let out = "";
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`no URL: ${out}`)), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /^dashboard listening on (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
  });
  return { child, url };
}

// ------------------------------------------------------------------ expected figures

/** "£58,478.00", worked out without Intl: the page's formatter is what is tested. */
function gbp(minor) {
  const neg = minor < 0n;
  const m = neg ? -minor : minor;
  const whole = (m / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg ? "-" : ""}£${whole}.${(m % 100n).toString().padStart(2, "0")}`;
}

const MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const monthLabel = (date) => `${MONTH[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;

// ------------------------------------------------------------------ page helpers

const textOf = (page, sel) =>
  page.evaluate((s) => document.querySelector(s)?.textContent.replace(/\s+/g, " ").trim() ?? null, sel);

async function waitForText(page, sel, want, timeout = 30_000) {
  try {
    await page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent.replace(/\s+/g, " ").trim() === w,
      [sel, want], { timeout, polling: 100 });
  } catch (e) {
    throw new Error(`${sel}: wanted "${want}", page shows "${await textOf(page, sel)}"`);
  }
}

/** The rows of a table as arrays of cell texts (header cell first). */
const tableRows = (page, sel) =>
  page.evaluate((s) => [...document.querySelectorAll(`${s} tbody tr`)].map((tr) =>
    [...tr.children].map((c) => c.textContent.replace(/\s+/g, " ").trim())), sel);

/** Headline cells (and the page) that do not fit: each "what: scroll > client" or "off screen". */
const clipped = (page) =>
  page.evaluate(() => {
    const out = [];
    const cells = document.querySelectorAll(
      '#totals-table td[data-col="held"], #totals-table td[data-col="raised"], #general-table td[data-col="available"], #funds-table tbody tr:not([hidden]) td[data-col="available"]');
    for (const c of cells) {
      const r = c.getBoundingClientRect();
      if (c.scrollWidth > c.clientWidth + 1) out.push(`${c.closest("table").id} ${c.dataset.col}: ${c.scrollWidth} > ${c.clientWidth}`);
      if (r.right > window.innerWidth + 0.5 || r.left < -0.5) out.push(`${c.closest("table").id} ${c.dataset.col}: off screen (${r.left}..${r.right})`);
      const wrap = c.closest(".table-wrap");
      if (wrap && wrap.scrollWidth > wrap.clientWidth + 1) {
        const widths = [...c.closest("table").querySelectorAll("thead th")].map((th) => Math.round(th.getBoundingClientRect().width));
        out.push(`${c.closest("table").id}: scrolls sideways (${wrap.scrollWidth} > ${wrap.clientWidth}; columns ${widths.join(" ")})`);
      }
    }
    const h1 = document.querySelector("h1");
    if (h1.scrollWidth > h1.clientWidth + 1 || h1.getBoundingClientRect().right > window.innerWidth) out.push("the campaign name sticks out");
    if (document.documentElement.scrollWidth > window.innerWidth) {
      // Name the outermost elements that stick out.
      const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5
        && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 0.5));
      const name = (e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${e.className && typeof e.className === "string" ? `.${e.className.split(" ").join(".")}` : ""}`;
      out.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}: ${wide.slice(0, 4).map((e) => `${name(e)} in ${e.closest("table, figure, form, section")?.id}`).join(", ")}`);
    }
    return [...new Set(out)];
  });

async function axeViolations(page) {
  await page.evaluate(AXE); // evaluate is not subject to the page's CSP
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
}

// ------------------------------------------------------------------ the test

test("a large campaign at desktop and phone sizes, committee and public", { timeout: 300_000 }, async (t) => {
  for (const p of [LEDGERD, LEDGERCTL, CHROMIUM, join(dashboardDir, "dist", "server.js"), join(dashboardDir, "dist", "support", "seed-campaign.mjs")]) {
    assert.ok(existsSync(p), `missing ${p} (npm run build)`);
  }
  mkdirSync(outDir, { recursive: true });
  tmp = mkdtempSync(join(tmpdir(), "dashboard-scale-"));
  rmSync(join(outDir, "ledgerd-scale.log"), { force: true });
  const key = join(tmp, "ledger.key");
  await run(LEDGERCTL, ["key", "create", key]);
  const dataDir = join(tmp, "ledger");
  const ledgerd = await startLedgerd(dataDir, key);
  const admin = `${dataDir}.token`;
  const ctl = (...args) => run(LEDGERCTL, ["--server", `127.0.0.1:${ledgerd.port}`, ...args], { LEDGER_TOKEN_FILE: admin });
  const today = new Date().toISOString().slice(0, 10); // ledgerd's today is UTC

  // 1. The campaign.
  const began = Date.now();
  const { seedCampaign } = await import(pathToFileURL(join(dashboardDir, "dist", "support", "seed-campaign.mjs")).href);
  const plan = await seedCampaign({ port: ledgerd.port, tokenFile: admin, today });
  const approver = join(tmp, "approver.token");
  const viewer = join(tmp, "viewer.token");
  await ctl("member", "add", "approver-1", "--role", "approver", "--name", "Approver");
  await ctl("token", "issue", "approver-1", "--output", approver);
  await ctl("member", "add", "page-1", "--role", "viewer", "--name", "Committee page");
  await ctl("token", "issue", "page-1", "--output", viewer);
  const payments = [["pay-1", 1234n], ["pay-2", 500n]];
  for (const [id, minor] of payments) {
    await ctl("disburse", "fund-001", `${minor / 100n}.${String(minor % 100n).padStart(2, "0")}`, "GBP", "--purpose", "court fees",
      "--payee", "Lawyer", "--request-id", id, "--on", today);
    await run(LEDGERCTL, ["--server", `127.0.0.1:${ledgerd.port}`, "approve", id], { LEDGER_TOKEN_FILE: approver });
    await ctl("pay", id, "--on", today);
  }
  const seededMs = Date.now() - began;
  t.diagnostic(`seeded ${plan.events} events and ${4 + payments.length * 3} more in ${seededMs} ms`);
  assert.ok(seededMs < 60_000, `seeding took ${seededMs} ms`);
  const headPosition = 1 + plan.events + 4 + payments.length * 3;

  // What the page must show, from the plan alone.
  const raised = plan.donations.reduce((s, d) => s + d.amountMinor, 0n);
  const paidOut = payments.reduce((s, [, m]) => s + m, 0n);
  const general = plan.donations.filter((d) => !d.fund).reduce((s, d) => s + d.amountMinor, 0n);
  const fundAvailable = new Map();
  for (const d of plan.donations) if (d.fund) fundAvailable.set(d.fund, (fundAvailable.get(d.fund) ?? 0n) + d.amountMinor);
  fundAvailable.set("fund-001", fundAvailable.get("fund-001") - paidOut);
  const monthsIn = new Map();
  for (const d of plan.donations) monthsIn.set(d.date.slice(0, 7), (monthsIn.get(d.date.slice(0, 7)) ?? 0n) + d.amountMinor);
  const branchGifts = new Map();
  for (const d of plan.donations) if (d.branch) branchGifts.set(d.branch, (branchGifts.get(d.branch) ?? 0n) + d.amountMinor);
  const nameOf = new Map(plan.branches.map((b) => [b.id, `${b.union} ${b.name}`]));
  const ranked = (ids) => [...ids].map((id) => [nameOf.get(id), branchGifts.get(id)])
    .sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : a[0].localeCompare(b[0], "en-GB")));
  const [largestFund] = [...fundAvailable].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : 0));
  const largestName = plan.funds.find((f) => f.id === largestFund[0]).name;

  const committee = await startDashboard(ledgerd.port, viewer, "committee");
  const publicPage = await startDashboard(ledgerd.port, "", "public");
  const profile = mkdtempSync(join(tmp, "chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, timeout: 30_000,
  });
  t.after(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A style or script the Content-Security-Policy refused (a chart library
  // writing inline styles, say) is reported on the console.
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });

  for (const view of ["committee", "public"]) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(view === "committee" ? committee.url : publicPage.url, { timeout: 30_000 });

    // 2. Headline figures.
    await waitForText(page, '#totals-table tr[data-currency="GBP"] td[data-col="raised"]', gbp(raised));
    await waitForText(page, '#totals-table tr[data-currency="GBP"] td[data-col="held"]', gbp(raised - paidOut));
    await waitForText(page, '#general-table tr[data-currency="GBP"] td[data-col="available"]', gbp(general));
    await waitForText(page, "#head-position", String(headPosition));
    assert.equal(await page.evaluate(() => document.body.dataset.view), view);
    await waitForText(page, "#ledger-name", CAMPAIGN);

    // 3. The charts, read back from their tables.
    await page.waitForSelector("#flow-GBP-table", { timeout: 30_000 });
    const flows = await tableRows(page, "#flow-GBP-table");
    assert.equal(flows.length, 12);
    for (const [label, moneyIn, moneyOut] of flows) {
      const key = [...monthsIn.keys()].find((k) => monthLabel(`${k}-01`) === label);
      assert.ok(key, `month ${label} has donations in the plan`);
      assert.equal(moneyIn, gbp(monthsIn.get(key)), `money in, ${label}`);
      assert.equal(moneyOut, key === today.slice(0, 7) ? gbp(paidOut) : "£0.00", `money out, ${label}`);
    }
    assert.match(await textOf(page, "#fund-balance figcaption"), new RegExp(`^Balance of ${largestName.replace(/[.*+?^${}()|[\]\\']/g, "\\$&")}`));
    const fundRows = await tableRows(page, "#fund-balance-table");
    assert.equal(fundRows.at(-1)[1], gbp(largestFund[1]), "the largest fund's balance now");
    // Month by month: what the plan gave it by each month's end, and the change across the month.
    let before = 0n;
    for (const [label, available, change] of fundRows) {
      const key = [...monthsIn.keys()].find((k) => monthLabel(`${k}-01`) === label);
      const upTo = plan.donations.filter((d) => d.fund === largestFund[0] && d.date.slice(0, 7) <= key)
        .reduce((sum, d) => sum + d.amountMinor, 0n) - (largestFund[0] === "fund-001" && key === today.slice(0, 7) ? paidOut : 0n);
      assert.equal(available, gbp(upTo), `${largestName}, ${label}`);
      assert.equal(change, (upTo > before ? "+" : "") + gbp(upTo - before), `${largestName}, change in ${label}`);
      before = upTo;
    }
    const expectedBranches = ranked([...branchGifts.keys()].filter((id) => view === "committee" || plan.branches.find((b) => b.id === id).shown));
    const branchRows = await tableRows(page, "#branch-year-table");
    assert.equal(branchRows.length, expectedBranches.length, "one row per contributing branch the viewer may see");
    const allGifts = expectedBranches.reduce((sum, [, m]) => sum + m, 0n);
    const share = (m) => {
      const tenths = (m * 1000n) / allGifts;
      return `${tenths / 10n}.${tenths % 10n}%`;
    };
    assert.deepEqual(branchRows.slice(0, 5), expectedBranches.slice(0, 5).map(([n, m]) => [n, gbp(m), share(m)]));
    const drawn = await page.evaluate(() => [...document.querySelectorAll(".chart canvas")].map((c) => c.width > 0 && c.toDataURL().length > 3000));
    assert.ok(drawn.length >= 3 && drawn.every(Boolean), `every chart drawn: ${drawn}`);

    // 4. Lists: closed funds collapsed, search, sort.
    await waitForText(page, "#funds-count", "Showing 190 of 200 funds; 10 closed hidden.");
    await page.fill("#funds-search", "bail");
    const bail = plan.funds.filter((f) => !f.closed && f.name.includes("bail")).length;
    await waitForText(page, "#funds-count", `Showing ${bail} of 200 funds; ${plan.funds.filter((f) => f.closed && f.name.includes("bail")).length} closed hidden.`);
    await page.fill("#funds-search", "");
    await page.click('#funds-table th[data-sort="available"] button');
    await waitForText(page, "#funds-table tbody tr:first-child th .name", largestName);
    assert.equal(await page.getAttribute('#funds-table th[data-sort="available"]', "aria-sort"), "descending");
    await page.check("#funds-show-closed");
    await waitForText(page, "#funds-count", "Showing 200 of 200 funds; sorted by the amount in GBP.");
    await page.uncheck("#funds-show-closed");
    const shownBranches = view === "committee" ? 200 : plan.branches.filter((b) => b.shown).length;
    await waitForText(page, "#branches-count", `Showing ${shownBranches} of ${shownBranches} branches.`);
    await page.fill("#branches-search", "branch 002");
    await waitForText(page, "#branches-count", `Showing ${view === "committee" ? 1 : 0} of ${shownBranches} branches.`);
    await page.fill("#branches-search", "");

    // 5. The committee's events; none for the public.
    if (view === "committee") {
      await waitForText(page, "#events-count", `${headPosition} of ${headPosition} events match.`, 60_000);
      await page.selectOption("#events-kind", "Donation");
      await waitForText(page, "#events-count", `${plan.donations.length} of ${headPosition} events match.`);
      await page.selectOption("#events-fund", "fund-003");
      const toFund3 = plan.donations.filter((d) => d.fund === "fund-003").length;
      await waitForText(page, "#events-count", `${toFund3} of ${headPosition} events match.`);
      await page.selectOption("#events-fund", "");
      await waitForText(page, "#events-page", `Page 1 of ${Math.ceil(plan.donations.length / 50)}`);
      await page.click("#events-next");
      await waitForText(page, "#events-page", `Page 2 of ${Math.ceil(plan.donations.length / 50)}`);
      assert.equal((await tableRows(page, "#events-table")).length, 50);
      await page.selectOption("#events-kind", "");
    } else {
      assert.equal(await page.isVisible("#events-section"), false, "no event list for the public");
      assert.equal(await page.isVisible("#activity-section"), false, "no activity for the public");
      assert.equal(await page.isVisible("#public-note"), true);
      assert.match(await textOf(page, ".eyebrow"), /public page/);
    }

    // Sticky headers: scrolled, the funds table's header stays at the top of its region.
    const stuck = await page.evaluate(() => {
      const wrap = document.querySelector("#funds-table").closest(".table-wrap");
      wrap.scrollTop = 600;
      const gap = document.querySelector('#funds-table thead th[data-sort="name"]').getBoundingClientRect().top - wrap.getBoundingClientRect().top;
      const scrolled = wrap.scrollTop;
      wrap.scrollTop = 0;
      return { gap, scrolled };
    });
    assert.ok(stuck.scrolled > 0 && Math.abs(stuck.gap) <= 2, `funds header after scrolling: ${JSON.stringify(stuck)}`);

    // 6. Both sizes: nothing clipped, screenshots, axe.
    assert.deepEqual(await clipped(page), [], `${view}, 1280 px`);
    await page.screenshot({ path: join(outDir, `scale-${view}-desktop.png`), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], `axe, ${view}, 1280 px`);
    await page.setViewportSize({ width: 390, height: 844 });
    await sleep(300);
    assert.deepEqual(await clipped(page), [], `${view}, 390 px`);
    // Dates never wrap: every <time> on one line.
    const wrapped = await page.evaluate(() => [...document.querySelectorAll("time")]
      .filter((t) => t.getClientRects().length > 1).map((t) => t.textContent));
    assert.deepEqual(wrapped, [], `${view}: dates broken over lines at 390 px`);
    await page.screenshot({ path: join(outDir, `scale-${view}-phone.png`), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], `axe, ${view}, 390 px`);
  }
  assert.deepEqual(errors, [], "no uncaught errors and no console errors in the page");

  await context.close();
  for (const d of [committee, publicPage]) assert.equal((await stop(d.child)).code, 0);
  assert.equal((await stop(ledgerd.child)).signal ?? "exit", "exit");
});
