// harness.mjs - what every browser test file shares: a fresh demo database
// and the real stagewise server on a free port, Debian's chromium driven by
// playwright-core, a small runner, and screenshots kept as artifacts.
//
// Environment (set by CTest, tests/CMakeLists.txt):
//   STAGEWISE_BIN                  the stagewise binary
//   STAGEWISE_TEST_TMP             scratch space for databases
//   STAGEWISE_BROWSER_ARTIFACTS    where screenshots go
//   STAGEWISE_CHROMIUM             the browser (default /usr/bin/chromium)

import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const webDir = join(here, "..", "..", "web");
export const testData = join(here, "..", "data");
export const DEMO_PASSWORD = "stagewise-demo";

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run the browser tests through ctest`);
  return v;
}

// A demo database (with the files or directories of `imports` loaded by
// `stagewise import`) and a server on it; resolves to { base, stop }.
// Without `history` the demo has no plan (every module live), as most
// screens' tests want; with it, the months of staged go-live history
// the adoption screens show (`init --demo`).
export async function startServer(extraArgs = [], imports = [], history = false) {
  const bin = need("STAGEWISE_BIN");
  const dir = mkdtempSync(join(need("STAGEWISE_TEST_TMP"), "browser-"));
  const db = `sqlite:${join(dir, "demo.db")}`;
  execFileSync(bin, ["init", "--db", db, "--demo", ...(history ? [] : ["--no-history"])],
               { stdio: "ignore" });
  for (const path of imports)
    execFileSync(bin, ["import", "--db", db, path], { stdio: "ignore" });
  const proc = spawn(bin, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--web", webDir, ...extraArgs],
                     { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stderr.on("data", (d) => { log += d; });
  const base = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${log}`)), 20000);
    proc.stdout.on("data", (d) => {
      out += d;
      const m = /Stagewise is serving (http:\/\/[^ ]+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on("exit", (code) => reject(new Error(`the server exited (${code}):\n${log}`)));
  });
  return {
    base, db, bin,
    log: () => log,
    stop: () => new Promise((resolve) => { proc.on("exit", resolve); proc.kill("SIGTERM"); }),
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.STAGEWISE_CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-quic"],
  });
}

const artifacts = process.env.STAGEWISE_BROWSER_ARTIFACTS || join(need("STAGEWISE_TEST_TMP"), "browser-artifacts");
mkdirSync(artifacts, { recursive: true });

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

// Signs in through the form.
export async function signIn(page, base, username, password = DEMO_PASSWORD) {
  await page.goto(base + "/");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// Runs the tests in order, each in a fresh browser context; prints one
// line per test and exits non-zero if any failed (with a screenshot of
// the failing page).
export async function run(tests, { serverArgs = [], imports = [], history = false } = {}) {
  const server = await startServer(serverArgs, imports, history);
  const browser = await launchBrowser();
  let failed = 0;
  try {
    for (const [name, fn] of Object.entries(tests)) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      try {
        await fn({ page, context, base: server.base, server });
        assert(errors.length === 0, `no script errors on the page (${errors.join("; ")})`);
        console.log(`ok     ${name}`);
      } catch (e) {
        failed++;
        console.log(`FAILED ${name}: ${e.stack || e}`);
        await screenshot(page, `FAILED-${name}`).catch(() => {});
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  if (failed) {
    console.log(`${failed} browser test(s) failed; server log:\n${server.log().split("\n").slice(-30).join("\n")}`);
    process.exit(1);
  }
}

// A request from the page as the signed-in user (the session cookie and
// the tab's CSRF token); resolves to { status, body }.
export async function call(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = path.startsWith("/fhir") ? "application/fhir+json" : "application/json";
    if (method !== "GET") headers["X-CSRF-Token"] = sessionStorage.getItem("stagewise.csrf");
    const res = await fetch(path, { method, headers, credentials: "same-origin",
                                    body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: res.status, body: json };
  }, [method, path, body]);
}

// Signs in and waits for the app to be ready (the header shows).
export async function signInReady(page, base, username, password = DEMO_PASSWORD) {
  await signIn(page, base, username, password);
  await page.locator("#sign-out").waitFor();
}

// Today's date as the browser sees it (YYYY-MM-DD).
export async function browserToday(page) {
  return page.evaluate(() => {
    const d = new Date(), p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  });
}

// A new patient through /fhir as the signed-in user; resolves to its id.
export async function newPatient(page, family, given = "Test", birthDate = "1970-03-04") {
  const r = await call(page, "POST", "/fhir/Patient", {
    resourceType: "Patient", active: true, name: [{ use: "official", family, given: [given] }],
    birthDate, gender: "female" });
  if (r.status !== 201) throw new Error(`could not create a patient (${r.status}: ${JSON.stringify(r.body)})`);
  return r.body.id;
}
