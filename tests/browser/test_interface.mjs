// test_interface.mjs - the Billing interface screen in a real browser, on
// its own demo database: a physician signs a visit (through /api, as the
// web app would), and so does a physician whose account has no NPI (so
// the charge fails validation); then the demo biller opens Billing
// interface from the navigation and sees the queue's counts, the alerts,
// today's reconciliation with the visit counted and listed (its charge in
// a state, its patient named), the invalid charge as a discrepancy and in
// the work queue with its reason, and resends it (checked again, it stays
// invalid, and the row says so); choosing a day long ago
// shows an empty reconciliation; the front desk has no Billing interface
// entry and the route shows the patients screen instead.

import { run, signInReady, screenshot, assert, call, newPatient } from "./harness.mjs";

async function signVisit(page) {
  const patient = await newPatient(page, "Interface", "Iris");
  let r = await call(page, "POST", `/api/patients/${patient}/visits`, { visit_type: "acute", reason: "Cough" });
  assert(r.status === 201, `a walk-in visit (${r.status}: ${JSON.stringify(r.body)})`);
  const enc = r.body.encounter;
  r = await call(page, "PUT", `/api/visits/${enc}/note`, { template: "acute",
    sections: { subjective: "s", objective: "o", assessment: "a", plan: "p" } });
  assert(r.status === 200, `the note (${r.status})`);
  r = await call(page, "PUT", `/api/visits/${enc}/coding`, { diagnoses: [{ code: "J20.9" }],
    procedures: [{ code: "99213", diagnoses: [1] }] });
  assert(r.status === 200, `the coding (${r.status}: ${JSON.stringify(r.body)})`);
  r = await call(page, "POST", `/api/visits/${enc}/sign`, {});
  assert(r.status === 200, `the signature (${r.status}: ${JSON.stringify(r.body)})`);
  return { patient, enc };
}

let signed = null, unbillable = null;
const NO_NPI_PASSWORD = "interface-test-password-2026";

await run({
  async physician_signs_a_visit({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    signed = await signVisit(page);
  },

  // A physician whose account is linked to no Practitioner has no NPI: the
  // charge of their visit fails validation and waits in the work queue.
  async physician_without_npi_signs_a_visit({ page, base }) {
    await signInReady(page, base, "admin.lee");
    const r = await call(page, "POST", "/api/users", { username: "dr.nonpi", display_name: "Dr. No NPI",
      roles: ["physician"], password: NO_NPI_PASSWORD });
    assert(r.status === 201, `a physician without NPI (${r.status}: ${JSON.stringify(r.body)})`);
    await page.locator("#sign-out").click();
    await signInReady(page, base, "dr.nonpi", NO_NPI_PASSWORD);
    unbillable = await signVisit(page);
  },

  async biller_sees_queue_and_reconciliation({ page, base }) {
    assert(signed && unbillable, "the visits of the previous tests");
    await signInReady(page, base, "billing.kim");
    const link = page.locator("#nav-interface");
    assert(await link.count() === 1, "a Billing interface link for the biller");
    await link.click();
    await page.locator("#interface-title").waitFor();
    // The queue: four counts, each a number.
    await page.locator("#queue-counts").waitFor();
    for (const key of ["pending", "rejected", "invalid", "acked"]) {
      const text = await page.locator(`[data-count=${key}] dd`).innerText();
      assert(/^\d+$/.test(text.trim()), `a ${key} count (${text})`);
    }
    assert((await page.locator("#interface-peer").innerText()).length > 0, "where charges go");
    // Today's reconciliation, with the signed visit.
    await page.locator("#reconcile-totals").waitFor();
    const visits = Number(await page.locator("[data-total=visits]").innerText());
    assert(visits >= 1, `at least the visit signed (${visits})`);
    const row = page.locator(`#reconcile-visits tr[data-encounter="${signed.enc}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert(text.includes("Iris Interface") && text.includes("99213"), `the visit's patient and charge (${text})`);
    assert((await page.locator("#interface-alerts").innerText()).length > 0, "the alerts section");
    // The charge without an NPI: a discrepancy, and a row of the work queue
    // with the reason and the patient.
    const invalid = page.locator("#discrepancies li[data-kind=invalid]");
    await invalid.first().waitFor();
    assert((await invalid.first().innerText()).includes("NPI"), "the invalid charge's reason");
    const unbilled = await page.locator(`#reconcile-visits tr[data-encounter="${unbillable.enc}"]`).innerText();
    assert(unbilled.includes("invalid") && unbilled.includes("Dr. No NPI"), `the visit and its signer (${unbilled})`);
    const workRow = page.locator("#work-table tbody tr").filter({ hasText: "NPI" });
    await workRow.first().waitFor();
    const workText = await workRow.first().innerText();
    assert(workText.includes("invalid") && workText.includes("Iris Interface"), `the work queue row (${workText})`);
    await screenshot(page, "billing-interface");
    // Resent without fixing anything, it is checked again and stays invalid:
    // the row says so, and the counts are read again.
    await workRow.first().getByRole("button", { name: /^Resend/ }).click();
    const statusCell = workRow.first().locator(".work-status");
    await page.waitForFunction((el) => /resent/.test(el.textContent), await statusCell.elementHandle());
    const resent = await statusCell.innerText();
    assert(/resent as message \d+: invalid/.test(resent), `the new status shown (${resent})`);
    assert(await page.locator("#work-table .form-error").first().innerText() === "", "no error on the row");
    // Another day: nothing signed.
    await page.locator("#reconcile-date").fill("2020-01-02");
    await page.locator("#reconcile-date").dispatchEvent("change");
    await page.getByText("Totals for 2020-01-02").waitFor();
    assert(await page.locator("[data-total=visits]").innerText() === "0", "no visit that day");
    assert(await page.locator("#reconcile-visits").count() === 0, "no visit table that day");
  },

  async front_desk_has_no_billing_interface({ page, base }) {
    await signInReady(page, base, "desk.patel");
    assert(await page.locator("#nav-interface").count() === 0, "no Billing interface link for the front desk");
    await page.goto(`${base}/#/interface`);
    await page.locator("#patient-search").waitFor();
    assert(await page.locator("#billing-interface").count() === 0, "the route shows the patients screen instead");
    const r = await call(page, "GET", "/api/interface/reconcile");
    assert(r.status === 403, `the API refuses the front desk too (${r.status})`);
  },
});
