// test_activity.mjs - the web app's activity capture (web/static/
// activity.js) in a real browser: typing and mouse movement on a screen
// for a few seconds, then the page hidden, posts one report naming the
// screen's area (the inbox; a chart tab's module) with active time no
// longer than the span it covers and no patient id anywhere in it; the
// server stores it for the signed-in user (read back from the database
// with Debian's sqlite3). In the training environment nothing is posted.

import { execFileSync } from "node:child_process";
import { run, signInReady, assert, newPatient } from "./harness.mjs";

// Moves the mouse and presses keys for about `seconds` seconds.
async function work(page, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    await page.mouse.move(200 + (i % 40) * 5, 300 + (i % 7) * 3);
    if (i % 4 === 0) await page.keyboard.press("Shift");
    await page.waitForTimeout(250);
  }
}

// Hides the page as a tab switch or closing would, and resolves to the
// report it posts (its parsed body) once the server answered it.
async function reportOnHide(page) {
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/activity"));
  await page.evaluate(() => window.dispatchEvent(new Event("pagehide")));
  const res = await answered;
  assert(res.status() === 204, `the report is accepted (${res.status()})`);
  return JSON.parse(res.request().postData());
}

function storedMs(server, username, area) {
  const file = server.db.replace(/^sqlite:/, "");
  const out = execFileSync("sqlite3", [file,
    "SELECT COALESCE(SUM(a.active_ms), 0) FROM adoption_activity a JOIN app_user u "
    + "ON u.practice_id = a.practice_id AND u.user_id = a.user_id "
    + `WHERE u.username = '${username}' AND a.area = '${area}' AND a.source = 'client'`]);
  return Number(String(out).trim());
}

await run({
  async inbox_activity_is_reported({ page, base, server }) {
    await signInReady(page, base, "dr.rivera");
    const before = storedMs(server, "dr.rivera", "inbox");
    await page.goto(`${base}/#/inbox`);
    await page.locator("h1").first().waitFor();
    await work(page, 3);
    const body = await reportOnHide(page);
    const inbox = body.entries.filter((e) => e.area === "inbox");
    assert(inbox.length >= 1, `an inbox entry (${JSON.stringify(body)})`);
    let active = 0;
    for (const e of inbox) {
      assert(e.screen === "inbox", `screen named inbox (${e.screen})`);
      const span = (Date.parse(e.to) - Date.parse(e.from)) / 1000;
      assert(e.active_seconds > 0 && e.active_seconds <= span + 0.001,
             `active time within its span (${e.active_seconds} of ${span})`);
      active += e.active_seconds;
    }
    const after = storedMs(server, "dr.rivera", "inbox");
    assert(after - before === Math.round(active * 1000),
           `stored as reported (${after - before} ms for ${active} s)`);
  },

  async chart_tab_activity_goes_to_its_module({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await newPatient(page, "Activitytab");
    await page.goto(`${base}/#/patients/${pid}`);
    await page.locator("#chart-title").waitFor();
    const tabs = page.locator('.chart-tabs [role="tab"]');
    const ids = await tabs.evaluateAll((ts) => ts.map((t) => t.id.replace(/^tab-/, "")));
    const modules = { medications: "medications", problems: "problems", allergies: "allergies",
                      immunizations: "immunizations", orders: "orders", visits: "documentation" };
    const tab = ids.find((id) => modules[id]);
    assert(tab, `a module's tab on the chart (${ids.join(", ")})`);
    await page.locator(`#tab-${tab}`).click();
    await work(page, 2);
    const body = await reportOnHide(page);
    const entry = body.entries.find((e) => e.screen === `chart_${tab}`);
    assert(entry && entry.area === modules[tab], `the ${tab} tab counts for ${modules[tab]} (${JSON.stringify(body)})`);
    assert(!JSON.stringify(body).includes(pid), "no patient id in the report");
  },

  async nothing_measured_in_training({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    let posted = 0;
    page.on("request", (r) => { if (r.url().includes("/api/activity")) posted++; });
    await page.goto(`${base}/training/#/inbox`);
    await page.locator("#env-banner").waitFor();
    await page.locator("#sign-out").waitFor();
    await work(page, 1);
    await page.evaluate(() => window.dispatchEvent(new Event("pagehide")));
    // A report would have been sent at once; a round trip to the server
    // afterwards shows none was.
    await page.evaluate(() => fetch("/healthz"));
    assert(posted === 0, `no activity report in training (${posted})`);
  },
});
