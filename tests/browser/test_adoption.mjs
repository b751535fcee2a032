// test_adoption.mjs - the adoption screens in a real browser (docs/web.md
// "Adoption"), on the demo practice (`stagewise init --demo`, whose months
// of history are made through the real workflows with a simulated clock):
// the implementation lead opens the practice dashboard from the header and
// sees each live module's weekly levels, a user below a floor with a link
// to their scorecard, the practice's productivity curve with its dip in
// words beside the expected curve and the forecast labelled an estimate,
// and every user's level per module; a nurse practitioner sees their own
// scorecard (levels in words, benchmarks against floor and goal, their
// productivity curve) and reads a refusal, not a broken page, for a
// colleague's scorecard and for the dashboard, both of which a super-user
// (dr.rivera) reaches; the lead assigns a finding's refresher and the
// colleague finds it among the assignments of their training home.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { run, signInReady, screenshot, assert, call, webDir } from "./harness.mjs";

const courses = join(webDir, "..", "courses");
// A demo clinician who is nobody's super-user, with findings to retrain.
const TRAINEE = "np.chen";

async function signOut(page) {
  await page.locator("#sign-out").click();
  await page.getByLabel("Username").waitFor();
}

async function openDashboard(page) {
  await page.locator("#nav-adoption").click();
  await page.locator("#adoption-users-table").waitFor({ timeout: 60000 });
}

await run({
  async lead_sees_the_practice_dashboard({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    assert(await page.locator("#nav-adoption").getAttribute("href") === "#/adoption", "the lead's Adoption link opens the dashboard");
    await openDashboard(page);
    assert((await page.locator("h1").textContent()) === "Practice adoption", "the dashboard's heading");

    // Adoption by module: a live module with weeks drawn as bars and the
    // same numbers in a table.
    const series = page.locator("#adoption-by-module .module-series");
    assert(await series.count() >= 1, "at least one live module's series");
    const first = series.first();
    assert(await first.locator("svg[role=img] rect").count() > 1, "the module's weekly bars are drawn");
    assert(await first.locator("table tbody tr").count() >= 2, "several weeks of levels in the table");
    assert(/Week ending \d{4}-\d{2}-\d{2}: \d+ learning, \d+ adopted, \d+ proficient, \d+ flagged/
      .test(await first.locator("figcaption").textContent()), "the chart's summary in words");

    // Users below a floor, each with a link to the scorecard.
    const below = page.locator("#below-floor-table tbody tr");
    assert(await below.count() >= 1, "a user below a floor");
    const belowUser = await below.first().getAttribute("data-user");
    assert(await below.first().locator(`a[href="#/adoption/users/${belowUser}"]`).count() === 1, "the row links to the scorecard");

    // The productivity dip in words, the chart, the estimate with sources.
    const dip = await page.locator("#practice-dip").textContent();
    assert(/Deepest point: \d+(\.\d)?% in week \d+; \d+ weeks? below 90%/.test(dip), `the dip's depth and length in words (${dip})`);
    assert(/back at 100% in week \d+|not back at 100% yet/.test(dip), `the recovery in words (${dip})`);
    assert(await page.locator("#practice-productivity-chart polyline").count() >= 2, "the actual and expected curves");
    assert(await page.locator("#practice-productivity-chart-table tbody tr").count() >= 4, "the curve as a table");
    const note = await page.locator("#forecast-note").textContent();
    assert(/^Estimate/.test(note.trim()) && /not measurements/.test(note) && /Sources:/.test(note), "the forecast is labelled an estimate with its sources");
    assert(await page.locator("#practice-productivity .clinician-curve").count() >= 1, "each clinician's curve");

    // Every user's level per module, in words.
    const rows = page.locator("#adoption-users-table tbody tr");
    assert(await rows.count() >= 5, "the practice's users");
    assert(/Learning|Adopted|Proficient/.test(await page.locator("#adoption-users-table tbody").textContent()), "levels in words");
    await screenshot(page, "adoption-dashboard");

    // On a tablet the header wraps and wide tables scroll in their box:
    // the page itself is never wider than the screen.
    await page.setViewportSize({ width: 768, height: 1024 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!overflow, "nothing wider than a 768×1024 tablet");
    await page.setViewportSize({ width: 1280, height: 800 });

    // The lead opens the scorecard of the user below a floor.
    await below.first().locator("a").click();
    await page.locator(`#scorecard[data-user="${belowUser}"]`).waitFor();
    assert(await page.locator("#adoption-benchmarks tr.standing-below_floor").count() >= 1, "their scorecard shows the benchmark below its floor");
  },

  async clinician_sees_their_own_scorecard_and_not_a_colleagues({ page, base }) {
    await signInReady(page, base, "np.chen");
    assert(await page.locator("#nav-adoption").getAttribute("href") === "#/adoption/me", "a clinician's Adoption link opens their own");
    await page.locator("#nav-adoption").click();
    await page.locator('#scorecard[data-user="np.chen"]').waitFor({ timeout: 60000 });
    assert((await page.locator("h1").textContent()) === "My adoption", "the heading");
    assert(await page.locator("#adoption-nav-dashboard").count() === 0, "no dashboard link for someone who is not a super-user");
    const levels = await page.locator("#adoption-modules").textContent();
    assert(/Learning|Adopted|Proficient/.test(levels), `each live module's level in words (${levels.slice(0, 200)})`);
    assert(await page.locator("#adoption-benchmarks tbody tr").count() >= 3, "the benchmarks");
    assert(await page.locator("#adoption-benchmarks svg.bench-bar").count() >= 3, "each with its floor-and-goal bar");
    const labelled = await page.locator("#adoption-benchmarks svg.bench-bar").first().getAttribute("aria-label");
    assert(/floor .*goal/.test(labelled), `the bar says its numbers (${labelled})`);
    assert(await page.locator("#adoption-features li").count() >= 1, "the core features used");
    assert(await page.locator("#my-productivity svg").count() === 1, "the clinician's own productivity curve");
    assert(/Baseline .* visits per session/.test(await page.locator("#my-productivity .dip-text").textContent()), "the dip in words");
    await screenshot(page, "adoption-my-scorecard");

    // A colleague's scorecard and the dashboard are refused with a
    // sentence, not a broken page.
    await page.goto(`${base}/#/adoption/users/dr.rivera`);
    const error = page.locator("#adoption-error");
    await error.waitFor();
    assert(/You may not see this scorecard/.test(await error.textContent()), "the refusal in words");
    assert(await page.locator("#scorecard").count() === 0, "no scorecard shown");
    const api = await call(page, "GET", "/api/adoption/users/dr.rivera");
    assert(api.status === 403, `the server refuses it too (${api.status})`);
    await page.goto(`${base}/#/adoption`);
    await page.locator("#adoption-error", { hasText: "The practice dashboard is for" }).waitFor();
  },

  async super_user_sees_colleagues({ page, base }) {
    // dr.rivera is the demo's super-user of documentation and more.
    await signInReady(page, base, "dr.rivera");
    await page.locator("#nav-adoption").click();
    await page.locator('#scorecard[data-user="dr.rivera"]').waitFor({ timeout: 60000 });
    await page.locator("#adoption-nav-dashboard").waitFor();
    await page.goto(`${base}/#/adoption/users/np.chen`);
    await page.locator('#scorecard[data-user="np.chen"]').waitFor({ timeout: 60000 });
    assert((await page.locator("h1").textContent()) === "Adoption of Li Chen, NP", "a colleague's scorecard, named");
    await page.locator("#adoption-nav-dashboard").click();
    await page.locator("#adoption-users-table").waitFor({ timeout: 60000 });
    assert(await page.locator("#adoption-error").count() === 0, "the dashboard opens for a super-user");
  },

  async assigning_a_finding_reaches_the_training_home({ page, base, server }) {
    // The findings of today's evaluation (the server makes it once a day;
    // run now, as `stagewise adoption evaluate` does, with the courses).
    execFileSync(server.bin, ["adoption", "evaluate", "--db", server.db, "--courses", courses], { stdio: "ignore" });
    await signInReady(page, base, "lead.morgan");
    await openDashboard(page);
    // An open finding of one of the demo's people (who can sign in).
    const group = page.locator(`#dashboard-findings .finding-group[data-user="${TRAINEE}"]`);
    assert(await group.count() === 1, `${TRAINEE} has findings`);
    await group.locator("summary").click();
    const finding = group.locator(".finding").filter({ has: page.locator(".assign-refresher") }).first();
    const id = await finding.getAttribute("data-finding");
    const explanation = (await finding.locator("strong").first().textContent()).trim();
    assert(await finding.locator("a.course-link[href='#/training']").count() === 1, "the recommended course links to the training home");
    await finding.locator(".assign-refresher").click();
    const done = page.locator(`#dashboard-findings .finding[data-finding="${id}"]`);
    await done.filter({ hasText: "assigned (training assignment" }).waitFor();
    assert(await done.locator(".assign-refresher").count() === 0, "the button is gone once assigned");
    const again = await call(page, "POST", `/api/adoption/findings/${id}/assign`);
    assert(again.status === 409, `a second assignment is a conflict (${again.status})`);
    await signOut(page);

    await signInReady(page, base, TRAINEE);
    await page.goto(`${base}/#/training`);
    const assigned = page.locator("#training-assignments li");
    await assigned.first().waitFor();
    const texts = await assigned.allTextContents();
    assert(texts.some((t) => t.includes(explanation)), `the assignment with the finding's explanation (${texts.join(" | ")})`);
    await screenshot(page, "adoption-assignment");
  },
}, { history: true });
