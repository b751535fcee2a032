// test_allergies.mjs - the chart's Allergies tab in a real browser:
// penicillin recorded from the summary form and shown in the tab (with
// criticality, reaction and severity) and in the banner; "Remove…" with
// no choice or reason refused beside the form, Escape closing it; the
// allergy marked "Recorded by mistake" with a reason from the keyboard
// only, then gone from the banner and the current list and shown in the
// history with its status and reason; a colleague's change after the list
// was read shown as a conflict beside the form; script payloads in the
// reason shown as text and never run.

import { run, signInReady, screenshot, assert, call, newPatient } from "./harness.mjs";

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> wrong chart`;

async function openChart(page, base, pid) {
  await page.goto(`${base}/#/patients/${pid}`);
  await page.locator("#chart-title").waitFor();
}

await run({
  async recorded_then_entered_in_error({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await newPatient(page, "Allergist");
    await openChart(page, base, pid);
    await page.locator("#allergy-banner").filter({ hasText: "none recorded" }).waitFor();

    // Recorded from the summary form, as before.
    const form = page.locator("#allergy-form");
    await form.getByLabel("Substance").fill("Penicillin");
    await page.locator("#allergy-criticality").selectOption("high");
    await form.getByLabel("Reaction", { exact: true }).fill("Hives");
    await page.locator("#allergy-severity").selectOption("moderate");
    await form.getByRole("button", { name: "Record allergy" }).click();
    await page.locator("#allergy-banner.allergy-high").filter({ hasText: "Penicillin" }).waitFor();

    // In the tab.
    await page.getByRole("tab", { name: "Allergies" }).click();
    const row = page.locator("#allergies-current-table tbody tr").filter({ hasText: "Penicillin" });
    await row.waitFor();
    const text = await row.innerText();
    assert(text.includes("high") && text.includes("Hives (moderate)"), `criticality, reaction and severity shown (${text})`);
    assert(await page.locator("#allergies-history").innerText() === "None.", "no history yet");

    // Nothing chosen, no reason: both named beside the form; Escape closes.
    await row.getByRole("button", { name: "Remove Penicillin" }).click();
    const removeForm = page.locator(".remove-allergy");
    assert(await page.evaluate(() => document.activeElement.value) === "resolved", "focus on the first choice");
    await removeForm.getByRole("button", { name: "Remove from list" }).click();
    await removeForm.locator(".field-error").filter({ hasText: "Choose what is true now." }).waitFor();
    await removeForm.locator(".field-error").filter({ hasText: "Give the reason." }).waitFor();
    await page.keyboard.press("Escape");
    await removeForm.waitFor({ state: "detached" });
    assert(await page.evaluate(() => document.activeElement.getAttribute("aria-label")) === "Remove Penicillin",
           "focus back on the button");

    // The keyboard only: open, choose, give the reason, send.
    await page.keyboard.press("Enter");
    await removeForm.waitFor();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    assert(await page.getByLabel("Recorded by mistake (entered in error)").isChecked(), "the arrow keys choose");
    await page.keyboard.press("Tab");
    await page.keyboard.type(XSS);
    await screenshot(page, "allergies-remove-form");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");

    // Gone from the banner and the list, in the history with status and reason.
    await page.locator("#allergy-banner").filter({ hasText: "none recorded" }).waitFor();
    const past = page.locator("#allergies-history-table tbody tr").filter({ hasText: "Penicillin" });
    await past.waitFor();
    assert(await past.locator(".allergy-status").innerText() === "Entered in error", "the status in words");
    assert(await past.locator(".allergy-reason").textContent() === XSS, "the reason shown as typed");
    assert((await page.locator("#allergies-current").innerText()).includes("No current allergies."), "none current");
    assert(await page.locator("#allergies img, #allergies script").count() === 0, "no element made from the reason");
    assert(await page.evaluate(() => window.__xss) === undefined, "no script ran");
    await screenshot(page, "allergies-history");

    // The server holds it as FHIR says.
    const list = await call(page, "GET", `/api/patients/${pid}/allergies`);
    const entry = list.body.history.find((a) => a.substance.text === "Penicillin");
    assert(entry && entry.status === "entered-in-error" && entry.reason === XSS, "stored as sent");
    const fhir = await call(page, "GET", `/fhir/AllergyIntolerance/${entry.id}`);
    assert(fhir.body.verificationStatus.coding[0].code === "entered-in-error" && !fhir.body.clinicalStatus,
           "entered in error, with no clinical status");
  },

  async changed_by_someone_else({ page, base }) {
    await signInReady(page, base, "rn.okafor");
    const pid = await newPatient(page, "Conflicted");
    const r = await call(page, "POST", `/api/patients/${pid}/allergies`,
                         { substance: { text: "Latex" }, category: "environment", criticality: "low" });
    assert(r.status === 201, `recorded (${r.status})`);
    await openChart(page, base, pid);
    await page.getByRole("tab", { name: "Allergies" }).click();
    const row = page.locator("#allergies-current-table tbody tr").filter({ hasText: "Latex" });
    await row.getByRole("button", { name: "Remove Latex" }).click();
    await page.getByLabel("No longer has it (resolved)").check();
    await page.getByLabel("Reason").fill("Outgrown");

    // A colleague edits it meanwhile.
    const stored = await call(page, "GET", `/fhir/AllergyIntolerance/${r.body.allergy}`);
    stored.body.criticality = "high";
    const put = await call(page, "PUT", `/fhir/AllergyIntolerance/${r.body.allergy}`, stored.body);
    assert(put.status === 200, `edited (${put.status})`);

    await page.getByRole("button", { name: "Remove from list" }).click();
    await page.locator(".remove-allergy .form-error").filter({ hasText: "changed since it was read" }).waitFor();
    await page.locator("#allergy-banner").filter({ hasText: "Latex" }).waitFor();
    const list = await call(page, "GET", `/api/patients/${pid}/allergies`);
    assert(list.body.allergies.length === 1 && list.body.history.length === 0, "nothing changed");
  },
});
