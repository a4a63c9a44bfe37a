// Builds the dashboard with esbuild:
//   dist/public/  the page (app.js bundle, index.html, styles.css)
//   dist/server.js  the Node server, its dependencies bundled in
//   dist/test/    the unit tests, for `node --test`
// Usage: node scripts/build.mjs [--tests-only]
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const testsOnly = process.argv.includes("--tests-only");

if (!existsSync(join(root, "gen", "solidarity", "ledger", "v1", "ledger_pb.ts"))) {
  // Generated code is not committed: make it (buf generate via npm).
  execFileSync("npm", ["run", "--silent", "generate"], { cwd: root, stdio: "inherit" });
}

const common = {
  bundle: true,
  logLevel: "warning",
  absWorkingDir: root,
  target: "es2022",
  legalComments: "none",
};

async function buildPage() {
  const out = join(dist, "public");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    ...common,
    entryPoints: ["src/page/main.ts"],
    outfile: join(out, "app.js"),
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome100", "firefox100", "safari15"],
    minify: true,
    sourcemap: "linked",
  });
  cpSync(join(root, "src/page/index.html"), join(out, "index.html"));
  cpSync(join(root, "src/page/styles.css"), join(out, "styles.css"));
}

async function buildServer() {
  await build({
    ...common,
    entryPoints: ["src/server/main.ts"],
    outfile: join(dist, "server.js"),
    format: "esm",
    platform: "node",
    // Debian 12's own Node.js is 18. The dependencies are bundled in, so the
    // built server needs no node_modules (the Debian package ships dist/).
    target: "node18",
    sourcemap: "linked",
  });
}

async function buildTests() {
  const out = join(dist, "test");
  rmSync(out, { recursive: true, force: true });
  const entries = readdirSync(join(root, "test"))
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => `test/${f}`);
  await build({
    ...common,
    entryPoints: entries,
    outdir: out,
    outExtension: { ".js": ".mjs" },
    format: "esm",
    platform: "node",
    target: "node18",
    packages: "external",
    sourcemap: "inline",
  });
  // Helpers of the browser test (tests/browser), kept out of dist/test so
  // that node --test does not run them.
  const support = join(dist, "support");
  rmSync(support, { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: ["test/support/seed-campaign.ts"],
    outdir: support,
    outExtension: { ".js": ".mjs" },
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
  });
}

if (testsOnly) {
  await buildTests();
} else {
  await Promise.all([buildPage(), buildServer(), buildTests()]);
}
