// test_xss_visit.mjs - script payloads typed into every free-text field of
// the visit, prescribing, orders, results, inbox, problem and
// immunization screens are stored and shown back as the characters typed:
// no payload runs (the window flag is never set, no dialog opens) and no
// element is made from the data.

import { run, signInReady, screenshot, assert, call, browserToday, newPatient } from "./harness.mjs";

// Short enough for the shortest fields (a lot number).
const S = (n) => `<img src=x onerror=__xss=${n}>&`;
const P = (n) => `<img src=x onerror="window.__xss=${n}"><script>window.__xss=${n}</script>"'&`;

async function noneRan(page, dialogs, where) {
  assert(dialogs.length === 0, `no dialog opened (${where}: ${dialogs.join(", ")})`);
  assert(await page.evaluate(() => window.__xss === undefined), `no payload ran (${where})`);
  assert(await page.locator("main img[src=x], main script").count() === 0, `no element was made from data (${where})`);
}

async function shows(page, selector, text) {
  await page.locator(selector).filter({ hasText: text }).first().waitFor();
}

await run({
  async payloads_in_every_new_field_stay_text({ page, base }) {
    const dialogs = [];
    page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await signInReady(page, base, "dr.rivera");
    const pid = await newPatient(page, "Scriptson", "Xena");
    const today = await browserToday(page);
    const appt = await call(page, "POST", "/fhir/Appointment", {
      resourceType: "Appointment", status: "booked", appointmentType: { text: "follow-up" },
      start: new Date(`${today}T13:00:00`).toISOString(), end: new Date(`${today}T13:20:00`).toISOString(),
      participant: [{ actor: { reference: `Patient/${pid}` }, status: "accepted" },
                    { actor: { identifier: { system: "urn:stagewise:user", value: "dr.rivera" } }, status: "accepted" }] });
    assert(appt.status === 201, `appointment booked (${appt.status})`);
    const checked = await call(page, "POST", `/api/appointments/${appt.body.id}/check-in`, {});
    const visit = checked.body.encounter;
    await call(page, "POST", `/api/patients/${pid}/allergies`, {
      substance: { system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "7980", display: "Penicillin G" },
      category: "medication", criticality: "high" });

    // Note sections, autosaved, then shown read-only after signing.
    await page.goto(`${base}/#/visits/${visit}`);
    await page.locator("#note-subjective").waitFor();
    const sections = ["subjective", "objective", "assessment", "plan"];
    for (const [i, k] of sections.entries()) await page.locator(`#note-${k}`).fill(P(10 + i));
    await page.locator("#note-template").focus();
    await page.locator("#note-status").filter({ hasText: /^Saved/ }).waitFor();
    const coding = await call(page, "PUT", `/api/visits/${visit}/coding`, {
      diagnoses: [{ code: "E11.9" }], procedures: [{ code: "99213", units: 1, diagnoses: [1] }] });
    assert(coding.status === 200, `coded (${coding.status})`);

    // Prescription: pharmacy, instructions and the override reason.
    await page.locator("#rx-drug-search").fill("amoxicillin");
    await page.locator("#rx-drug-search-list [role=option]").first().waitFor();
    await page.locator("#rx-drug-search").press("Enter");
    await page.locator("#rx-quantity").fill("30");
    await page.locator("#rx-pharmacy").fill(P(20));
    await page.locator("#rx-instructions").fill(P(21));
    await page.getByRole("button", { name: "Check and send" }).click();
    await page.locator("#rx-override-reason").fill(P(22));
    await page.locator("#rx-override").click();
    await shows(page, "#rx-sent", P(20));
    await noneRan(page, dialogs, "prescription");

    // Order reason and note.
    await page.locator("#order-search").fill("a1c");
    await page.locator("#order-search-list [role=option]").first().waitFor();
    await page.locator("#order-search").press("Enter");
    await page.locator("#order-reason").fill(P(30));
    await page.locator("#order-note").fill(P(31));
    await page.getByRole("button", { name: "Place order" }).click();
    await page.locator("#orders-table tbody tr").first().waitFor();

    // Sign, then an addendum.
    await page.locator("#sign-note").click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Sign", exact: true }).click();
    await page.locator("#note-signed").waitFor();
    for (const [i, k] of sections.entries())
      assert((await page.locator(`#note-${k}`).innerText()) === P(10 + i), `the ${k} section reads as typed`);
    await page.locator("#addendum-text").fill(P(40));
    await page.getByRole("button", { name: "Add addendum" }).click();
    await shows(page, "#addenda li", P(40));
    await noneRan(page, dialogs, "signed note");
    await screenshot(page, "xss-visit");

    // A result's conclusion.
    const orders = await call(page, "GET", `/api/patients/${pid}/orders`);
    const result = await call(page, "POST", "/api/results", {
      order: orders.body.orders[0].id, status: "final", conclusion: P(50),
      observations: [{ code: "4548-4", system: "http://loinc.org", display: "Hemoglobin A1c/Hemoglobin.total in Blood",
                       value: 5.0, unit: "%", low: 4, high: 5.6 }] });
    assert(result.status === 201, `result posted (${result.status})`);
    await page.goto(`${base}/#/results/${result.body.report}`);
    await shows(page, "#result-conclusion", P(50));
    await noneRan(page, dialogs, "result");

    // A message's subject and text (to oneself, so it shows here).
    await page.goto(`${base}/#/inbox`);
    await page.locator("#msg-to").fill("dr.rivera");
    await page.locator("#msg-subject").fill(P(60));
    await page.locator("#msg-text").fill(P(61));
    await page.getByRole("button", { name: "Send message" }).click();
    await shows(page, "#inbox-messages .message-subject", P(60));
    await shows(page, "#inbox-messages .message-text", P(61));
    await noneRan(page, dialogs, "inbox");
    await screenshot(page, "xss-inbox");

    // A problem's text and note; an immunization's lot and note.
    await page.goto(`${base}/#/patients/${pid}`);
    await page.getByRole("tab", { name: "Problems" }).click();
    await page.locator("#problem-text").fill(P(70));
    await page.locator("#problem-note").fill(P(71));
    await page.getByRole("button", { name: "Add problem" }).click();
    await shows(page, "#problems-items .problem-text", P(70));
    await page.getByRole("tab", { name: "Immunizations" }).click();
    await page.locator("#vaccine-search").fill("influenza");
    await page.locator("#vaccine-search-list [role=option]").first().waitFor();
    await page.locator("#vaccine-search").press("Enter");
    await page.locator("#imm-lot").fill(S(80));
    await page.locator("#imm-note").fill(P(81));
    await page.getByRole("button", { name: "Record immunization" }).click();
    await shows(page, "#immunizations-table .imm-lot", S(80));
    await noneRan(page, dialogs, "problems and immunizations");
    await screenshot(page, "xss-chart-tabs");

    // The stored values are the characters typed.
    const v = await call(page, "GET", `/api/visits/${visit}`);
    assert(v.body.note.sections.plan === P(13) && v.body.addenda[0].text === P(40), "stored verbatim");
  },
});
