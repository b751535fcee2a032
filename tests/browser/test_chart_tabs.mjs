// test_chart_tabs.mjs - the chart's tabs in a real browser: the
// medication list (a reported medication added, then stopped with a
// reason and moved to the history), the problem list (a coded problem
// added from the combobox, its history, resolving it), immunizations (one
// recorded from the vaccine search), the vitals trend (an SVG image with
// a description and the same values as a table), tabs moved with the
// arrow keys, and screens offered only when their module is live and the
// role allows them (a nurse neither prescribes nor signs; without the
// eprescribing and orders modules there is no prescribing and no Orders
// tab).

import { run, signInReady, screenshot, assert, call, newPatient } from "./harness.mjs";

async function openChart(page, base, pid) {
  await page.goto(`${base}/#/patients/${pid}`);
  await page.locator("#chart-title").waitFor();
}

await run({
  async medication_list_add_and_stop({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await newPatient(page, "Medlister");
    await openChart(page, base, pid);
    await page.getByRole("tab", { name: "Medications" }).click();
    await page.locator("#med-text").fill("Fish oil capsules");
    await page.locator("#med-dose").fill("1 g daily");
    await page.getByRole("button", { name: "Add reported medication" }).click();
    const row = page.locator("#meds-current-table tr").filter({ hasText: "Fish oil capsules" });
    await row.waitFor();
    assert((await row.innerText()).includes("reported"), "marked as reported");
    await row.getByRole("button", { name: "Stop Fish oil capsules" }).click();
    await page.getByRole("button", { name: "Stop medication" }).click();
    await page.locator(".stop-form .field-error").filter({ hasText: "Give the reason." }).waitFor();
    await page.getByLabel("Reason for stopping Fish oil capsules").fill("No longer taking it");
    await page.getByRole("button", { name: "Stop medication" }).click();
    await page.locator("#meds-history-table").filter({ hasText: "Fish oil capsules" }).waitFor();
    assert(await page.locator("#meds-current-table").count() === 0
           || !(await page.locator("#meds-current-table").innerText()).includes("Fish oil"), "gone from the current list");
    await screenshot(page, "tabs-medications");
  },

  async problem_list_add_history_resolve({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await newPatient(page, "Problemson");
    await openChart(page, base, pid);
    // Tabs move with the arrow keys.
    await page.getByRole("tab", { name: "Summary" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assert(await page.getByRole("tab", { name: "Problems" }).getAttribute("aria-selected") === "true",
           "the arrow keys open the Problems tab");
    await page.locator("#problem-search").fill("I10");
    await page.locator("#problem-search-list [role=option]").first().waitFor();
    await page.locator("#problem-search").press("ArrowDown");
    await page.locator("#problem-search").press("Enter");
    await page.locator("#problem-chosen").filter({ hasText: "I10" }).waitFor();
    await page.locator("#problem-onset").fill("2020-05-01");
    await page.getByRole("button", { name: "Add problem" }).click();
    const item = page.locator("#problems-items li").filter({ hasText: "I10" });
    await item.waitFor();
    assert((await item.innerText()).includes("active"), "active");
    await item.getByRole("button", { name: /^Resolve/ }).click();
    await page.locator("#problems-items li").filter({ hasText: "resolved" }).waitFor();
    const resolved = page.locator("#problems-items li").filter({ hasText: "I10" });
    await resolved.getByRole("button", { name: /^History/ }).click();
    await resolved.locator(".history li").nth(1).waitFor();
    const history = await resolved.locator(".history").innerText();
    assert(history.includes("active") && history.includes("resolved"), `both versions shown (${history})`);
    await screenshot(page, "tabs-problems");
  },

  async immunization_recorded({ page, base }) {
    await signInReady(page, base, "rn.okafor");
    const pid = await newPatient(page, "Jabbs");
    await openChart(page, base, pid);
    await page.getByRole("tab", { name: "Immunizations" }).click();
    await page.getByRole("button", { name: "Record immunization" }).click();
    await page.locator("#vaccine-search-error").filter({ hasText: "Choose a vaccine." }).waitFor();
    await page.locator("#vaccine-search").fill("influenza");
    await page.locator("#vaccine-search-list [role=option]").first().waitFor();
    await page.locator("#vaccine-search").press("ArrowDown");
    await page.locator("#vaccine-search").press("Enter");
    await page.locator("#imm-lot").fill("LOT-123");
    await page.getByRole("button", { name: "Record immunization" }).click();
    await page.locator("#immunizations-table").filter({ hasText: "LOT-123" }).waitFor();
    assert(/nfluenza/.test(await page.locator("#immunizations-table").innerText()), "the vaccine is named");
    await screenshot(page, "tabs-immunizations");
  },

  async vitals_trend_chart({ page, base }) {
    await signInReady(page, base, "rn.okafor");
    const pid = await newPatient(page, "Trendwell");
    for (const [w, s, d] of [[80, 142, 91], [78, 134, 86]]) {
      const r = await call(page, "POST", `/api/patients/${pid}/vitals`,
                           { height_cm: 170, weight_kg: w, systolic: s, diastolic: d });
      assert(r.status === 201, `vitals recorded (${r.status})`);
    }
    await openChart(page, base, pid);
    const weight = page.locator("#trend-weight");
    await weight.waitFor();
    assert(await weight.getAttribute("role") === "img", "the chart is an image to screen readers");
    const desc = await page.locator("#trend-weight-d").textContent();
    assert(desc.includes("80 kg") && desc.includes("78 kg"), `its description reads the values (${desc})`);
    assert(await page.locator("#trend-bp polyline").count() === 2, "systolic and diastolic lines");
    await page.locator("#vitals-trend summary").first().click();
    assert(await page.locator("#vitals-trend table").first().locator("tbody tr").count() >= 1, "the values as a table");
    await screenshot(page, "tabs-vitals-trend");
  },

  async offered_by_role_and_module({ page, base }) {
    await signInReady(page, base, "rn.okafor");
    const pid = await newPatient(page, "Gatekeep");
    await openChart(page, base, pid);
    await page.getByRole("tab", { name: "Medications" }).click();
    await page.locator("#medications").waitFor();
    assert(await page.locator("#prescribe-form").count() === 0, "a nurse is not offered prescribing");
    const walkin = await call(page, "POST", `/api/patients/${pid}/visits`, { visit_type: "acute", reason: "Sore throat" });
    assert(walkin.status === 201, `walk-in visit (${walkin.status})`);
    await page.goto(`${base}/#/visits/${walkin.body.encounter}`);
    await page.locator("#note-subjective").waitFor();
    assert(await page.locator("#sign-note").count() === 0, "nor signing");
    await page.locator("#sign-out").click();
    await page.locator(".form-info").filter({ hasText: "You are signed out." }).waitFor();

    // The same physician with two modules not live for her.
    await page.route("**/api/me", async (route) => {
      const res = await route.fetch();
      const me = await res.json();
      me.modules = (me.modules || []).filter((m) => m !== "eprescribing" && m !== "orders");
      await route.fulfill({ response: res, json: me });
    });
    await signInReady(page, base, "dr.rivera");
    await openChart(page, base, pid);
    assert(await page.getByRole("tab", { name: "Orders" }).count() === 0, "no Orders tab");
    await page.getByRole("tab", { name: "Medications" }).click();
    await page.locator("#medications").waitFor();
    assert(await page.locator("#prescribe-form").count() === 0, "no prescribing");
    await page.goto(`${base}/#/visits/${walkin.body.encounter}`);
    await page.locator("#sign-note").waitFor();
    assert(await page.locator("#prescribe-form, #orders").count() === 0, "nor on the visit");
  },
});
