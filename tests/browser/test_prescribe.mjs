// test_prescribe.mjs - prescribing in a real browser, from the chart's
// Medications tab: a patient with a high-criticality penicillin allergy
// (POST /api/patients/{id}/allergies), amoxicillin found as you type with
// its usual dose filled in, the alert dialog (role alertdialog, focus
// inside it) showing the high allergy alert, "Override and send" disabled
// until a reason is typed, then the prescription sent, listed and its
// pharmacy message sent. Cancelling (the button or Escape) sends nothing.

import { run, signInReady, screenshot, assert, call, newPatient } from "./harness.mjs";

async function patientWithPenicillinAllergy(page, family) {
  const pid = await newPatient(page, family, "Penny");
  const r = await call(page, "POST", `/api/patients/${pid}/allergies`, {
    substance: { system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "7980", display: "Penicillin G" },
    category: "medication", criticality: "high", reaction: "Hives", severity: "moderate" });
  assert(r.status === 201, `the allergy was recorded (${r.status}: ${JSON.stringify(r.body)})`);
  return pid;
}

async function openMedicationsTab(page, pid) {
  await page.goto(`${new URL(page.url()).origin}/#/patients/${pid}`);
  await page.locator("#chart-title").waitFor();
  await page.getByRole("tab", { name: "Medications" }).click();
  await page.locator("#prescribe-form").waitFor();
}

async function fillAmoxicillin(page) {
  const form = page.locator("#prescribe-form");
  await page.locator("#rx-drug-search").fill("amoxicillin");
  await page.locator("#rx-drug-search-list [role=option]").first().waitFor();
  await page.locator("#rx-drug-search").press("ArrowDown");
  await page.locator("#rx-drug-search").press("Enter");
  await page.locator("#rx-drug").filter({ hasText: /amoxicillin/i }).waitFor();
  assert((await form.getByLabel("Dose").inputValue()) !== "", "the usual dose is filled in");
  assert((await form.getByLabel("Route").inputValue()) !== "", "and the route");
  assert((await form.getByLabel("Frequency").inputValue()) !== "", "and the frequency");
  await form.getByLabel("Quantity").fill("30");
  await form.getByLabel("Days supply").fill("10");
  await form.getByLabel("Pharmacy").fill("Main Street Pharmacy");
  await form.getByLabel("Instructions for the patient").fill("Take with food until finished.");
}

async function prescriptions(page, pid) {
  const r = await call(page, "GET", `/api/patients/${pid}/medications`);
  return (r.body.medications || []).filter((m) => m.type === "MedicationRequest");
}

await run({
  async override_a_high_allergy_alert_and_send({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await patientWithPenicillinAllergy(page, "Allergika");
    await openMedicationsTab(page, pid);
    await fillAmoxicillin(page);
    await screenshot(page, "rx-1-filled");
    await page.getByRole("button", { name: "Check and send" }).click();

    const dialog = page.getByRole("alertdialog");
    await dialog.waitFor();
    const alerts = await page.locator("#rx-alerts-list").innerText();
    assert(/HIGH/.test(alerts) && /allergy/i.test(alerts), `a high allergy alert is listed (${alerts})`);
    assert(await page.evaluate(() => document.getElementById("rx-alerts").contains(document.activeElement)),
           "focus is inside the dialog");
    // Tab cycles inside the dialog.
    for (let i = 0; i < 5; i++) await page.keyboard.press("Tab");
    assert(await page.evaluate(() => document.getElementById("rx-alerts").contains(document.activeElement)),
           "focus stays inside the dialog");
    const send = page.locator("#rx-override");
    assert(await send.isDisabled(), "Override and send is disabled without a reason");
    await screenshot(page, "rx-2-alert-dialog");
    await page.getByLabel("Reason for overriding (required)").fill("Tolerated amoxicillin in 2020 without reaction.");
    assert(await send.isEnabled(), "a reason enables it");
    await send.click();

    await page.locator("#rx-sent").filter({ hasText: "Prescription sent" }).waitFor();
    await page.locator("#rx-message-status").filter({ hasText: /sent|delivered|accepted|queued/i }).waitFor();
    const list = await prescriptions(page, pid);
    assert(list.some((m) => /amoxicillin/i.test(m.name)), `the prescription is listed (${JSON.stringify(list)})`);
    await page.locator("#meds-current-table").filter({ hasText: /amoxicillin/i }).waitFor();
    const msgs = await call(page, "GET", `/api/pharmacy/messages?patient=${pid}`);
    assert(msgs.body.messages.some((m) => m.pharmacy === "Main Street Pharmacy"), "the pharmacy got a message");
    await screenshot(page, "rx-3-sent");
  },

  async cancel_sends_nothing({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await patientWithPenicillinAllergy(page, "Cancelia");
    await openMedicationsTab(page, pid);
    await fillAmoxicillin(page);
    await page.getByRole("button", { name: "Check and send" }).click();
    await page.getByRole("alertdialog").waitFor();
    await page.getByLabel("Reason for overriding (required)").fill("Typed, then changed my mind.");
    await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("alertdialog").waitFor({ state: "detached" });
    await page.locator("#rx-error").filter({ hasText: "Not sent." }).waitFor();
    // Escape cancels too.
    await page.getByRole("button", { name: "Check and send" }).click();
    await page.getByRole("alertdialog").waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("alertdialog").waitFor({ state: "detached" });
    assert((await prescriptions(page, pid)).length === 0, "no prescription was written");
    const msgs = await call(page, "GET", `/api/pharmacy/messages?patient=${pid}`);
    assert((msgs.body.messages || []).length === 0, "and no pharmacy message");
    await screenshot(page, "rx-cancelled");
  },
});
