// test_visit.mjs - a visit from the schedule to the signed note, in a
// real browser: a physician's appointment today (seeded through /fhir
// with the participant urn:stagewise:user|dr.rivera), checking in from
// the schedule, opening the visit, a note template, typing in the SOAP
// sections and seeing the autosave, the draft waiting in the inbox (and
// gone once signed), a diagnosis and a procedure added
// with the keyboard only through the comboboxes, reconciling the
// medication list, signing (the note becomes read-only and the charges
// show), an addendum, and signing out. Also: a stale autosave answered
// 409 shows the conflict and a reload, and the visit screen at a tablet's
// 768×1024.

import { run, signInReady, screenshot, assert, call, browserToday, newPatient } from "./harness.mjs";

// A patient with an appointment with dr.rivera today; resolves to ids.
async function seedAppointment(page, family) {
  const pid = await newPatient(page, family, "Vera");
  const today = await browserToday(page);
  const start = new Date(`${today}T12:00:00`), end = new Date(`${today}T12:20:00`);
  const r = await call(page, "POST", "/fhir/Appointment", {
    resourceType: "Appointment", status: "booked",
    appointmentType: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0276", code: "FOLLOWUP",
                                  display: "A follow up visit from a previous appointment" }], text: "follow-up" },
    serviceType: [{ text: "follow-up" }],
    reasonCode: [{ text: "Diabetes check" }],
    start: start.toISOString(), end: end.toISOString(),
    participant: [
      { actor: { reference: `Patient/${pid}` }, status: "accepted" },
      { actor: { identifier: { system: "urn:stagewise:user", value: "dr.rivera" }, display: "Dr. Ana Rivera" },
        status: "accepted" }] });
  assert(r.status === 201, `the appointment was booked (${r.status}: ${JSON.stringify(r.body)})`);
  return { pid, appointment: r.body.id };
}

// Checks in from the schedule and opens the visit; resolves to its id.
async function checkInAndOpen(page, family, shots = "visit") {
  await page.locator("#nav-schedule").click();
  const row = page.locator(".appt").filter({ hasText: family });
  await row.waitFor();
  await screenshot(page, `${shots}-1-schedule`);
  await row.getByRole("button", { name: /Check in/ }).click();
  await row.getByRole("link", { name: "Open visit" }).waitFor();
  assert((await row.innerText()).includes("arrived"), "the appointment shows arrived");
  await screenshot(page, `${shots}-2-checked-in`);
  await row.getByRole("link", { name: "Open visit" }).click();
  await page.locator("#visit-title").filter({ hasText: family }).waitFor();
  return decodeURIComponent(new URL(page.url()).hash.replace("#/visits/", ""));
}

// Types code text into a combobox and picks the first option with the keyboard.
async function pickWithKeyboard(page, inputId, text, expect) {
  await page.locator(`#${inputId}`).focus();
  await page.keyboard.type(text);
  await page.locator(`#${inputId}-list [role=option]`).filter({ hasText: expect }).first().waitFor();
  assert(await page.locator(`#${inputId}`).getAttribute("aria-expanded") === "true", "the listbox is announced open");
  await page.keyboard.press("ArrowDown");
  const active = await page.locator(`#${inputId}`).getAttribute("aria-activedescendant");
  assert(active && (await page.locator(`#${active}`).innerText()).includes(expect), "the first option is active");
  await page.keyboard.press("Enter");
}

await run({
  async schedule_to_signed_note({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    await seedAppointment(page, "Visitmann");
    const visit = await checkInAndOpen(page, "Visitmann");
    await screenshot(page, "visit-3-opened");

    // A template fills the empty sections.
    const template = page.locator("#note-template");
    await template.locator("option").nth(1).waitFor({ state: "attached" });
    const options = await template.locator("option").allInnerTexts();
    const follow = options.find((t) => /follow/i.test(t)) || options[1];
    await template.selectOption({ label: follow });
    await page.waitForFunction(() => document.getElementById("note-plan").value.length > 0
      || document.getElementById("note-subjective").value.length > 0);
    await page.locator("#note-status").filter({ hasText: /^Saved \d\d:\d\d$/ }).waitFor();

    // Typing, then the autosave after typing stops.
    await page.locator("#note-subjective").focus();
    await page.keyboard.press("Control+End");
    await page.keyboard.type(" Feels well; checks sugars daily.");
    await page.locator("#note-status").filter({ hasText: "Unsaved changes" }).waitFor();
    await page.locator("#note-status").filter({ hasText: /^Saved \d\d:\d\d$/ }).waitFor();
    await page.locator("#note-assessment").fill("Type 2 diabetes, controlled.");
    await page.locator("#note-plan").focus();        // blur saves at once
    await page.locator("#note-status").filter({ hasText: /^Saved \d\d:\d\d$/ }).waitFor();
    const saved = await call(page, "GET", `/api/visits/${visit}`);
    assert(saved.body.note && saved.body.note.sections.assessment === "Type 2 diabetes, controlled.",
           `the draft is on the server (${JSON.stringify(saved.body.note)})`);
    assert(saved.body.note.sections.subjective.endsWith("checks sugars daily."), "with the typed text");
    await screenshot(page, "visit-4-autosaved");

    // A second template asks before replacing typed text.
    const other = options.find((t, i) => i > 0 && t !== follow);
    if (other) {
      await template.selectOption({ label: other });
      await page.locator("#template-confirm").waitFor();
      await screenshot(page, "visit-5-template-confirm");
      await page.getByRole("button", { name: "Fill only empty sections" }).click();
      assert((await page.locator("#note-assessment").inputValue()) === "Type 2 diabetes, controlled.",
             "typed text is kept");
    }

    // Coding with the keyboard only.
    await pickWithKeyboard(page, "dx-search", "E11.9", "E11.9");
    await page.locator("#diagnoses li").filter({ hasText: "E11.9" }).waitFor();
    await pickWithKeyboard(page, "px-search", "99213", "99213");
    await page.locator("#procedures").filter({ hasText: "99213" }).waitFor();
    await page.locator("#coding-status").filter({ hasText: "Coding saved" }).waitFor();
    const coded = await call(page, "GET", `/api/visits/${visit}`);
    assert(coded.body.diagnoses.some((d) => d.code === "E11.9"), "the diagnosis is saved");
    assert(coded.body.procedures.some((p) => p.code === "99213" && p.diagnoses.includes(1)),
           `the procedure points at diagnosis 1 (${JSON.stringify(coded.body.procedures)})`);
    await screenshot(page, "visit-6-coded");

    // The draft waits in the inbox; its link leads back here.
    await page.locator("#nav-inbox").click();
    const waiting = page.locator("#inbox-notes a").filter({ hasText: "Visitmann" });
    await waiting.waitFor();
    await waiting.click();
    await page.locator("#visit-title").filter({ hasText: "Visitmann" }).waitFor();
    assert((await page.locator("#note-assessment").inputValue()) === "Type 2 diabetes, controlled.", "the draft reopens");

    // Reconciliation.
    await page.locator("#reconcile-medications").click();
    await page.locator("#reconciled-medications").filter({ hasText: /^Reviewed / }).waitFor();
    const by = await page.locator("#reconciled-medications").innerText();
    assert(/rivera/i.test(by), `by whom (${by})`);

    // Signing.
    await page.locator("#sign-note").click();
    await page.getByRole("alertdialog", { name: "Sign this note?" }).waitFor();
    await screenshot(page, "visit-7-sign-confirm");
    await page.getByRole("alertdialog").getByRole("button", { name: "Sign", exact: true }).click();
    await page.locator("#note-signed").filter({ hasText: "Signed by Dr. Ana Rivera" }).waitFor();
    assert(await page.locator("#note textarea").count() === 0, "the note is read-only");
    assert(await page.locator("#dx-search").count() === 0, "coding is closed");
    assert((await page.locator("#note-subjective").innerText()).includes("checks sugars daily."), "the signed text shows");
    await page.locator("#charges").filter({ hasText: "99213" }).waitFor();
    await screenshot(page, "visit-8-signed");

    // Addendum.
    await page.locator("#addendum-text").fill("HbA1c result to follow.");
    await page.getByRole("button", { name: "Add addendum" }).click();
    await page.locator("#addenda li").filter({ hasText: "HbA1c result to follow." }).waitFor();
    assert((await page.locator("#addenda").innerText()).includes("Dr. Ana Rivera"), "with its author");
    await screenshot(page, "visit-9-addendum");
    await page.locator("#nav-inbox").click();
    await page.locator("#inbox-notes").filter({ hasText: /./ }).waitFor();
    await page.waitForFunction(() => !document.getElementById("inbox-notes").textContent.includes("Visitmann")
      && document.getElementById("inbox-notes").textContent.length > 0);

    await page.locator("#sign-out").click();
    await page.locator(".form-info").filter({ hasText: "You are signed out." }).waitFor();
    const stored = await page.evaluate(() => Object.keys(sessionStorage).length + Object.keys(localStorage).length);
    assert(stored === 0, "nothing is left in browser storage");
  },

  async a_stale_autosave_shows_the_conflict({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    await seedAppointment(page, "Conflictson");
    const visit = await checkInAndOpen(page, "Conflictson", "conflict");
    await page.locator("#note-subjective").fill("First words.");
    await page.locator("#note-objective").focus();
    await page.locator("#note-status").filter({ hasText: /^Saved/ }).waitFor();
    // Another writer saves over the same version.
    const v = await call(page, "GET", `/api/visits/${visit}`);
    const other = await call(page, "PUT", `/api/visits/${visit}/note`, {
      sections: { subjective: "Changed elsewhere.", objective: "", assessment: "", plan: "" }, version: v.body.note.version });
    assert(other.status === 200, `the other save went in (${other.status})`);
    await page.locator("#note-objective").fill("Mine.");
    await page.locator("#note-error").filter({ hasText: "changed this note" }).waitFor();
    await screenshot(page, "visit-conflict");
    await page.locator("#note-reload").click();
    await page.waitForFunction(() => document.getElementById("note-subjective")
      && document.getElementById("note-subjective").value === "Changed elsewhere.");
  },

  async visit_screen_on_a_tablet({ page, base }) {
    await page.setViewportSize({ width: 768, height: 1024 });
    await signInReady(page, base, "dr.rivera");
    await seedAppointment(page, "Tabletta");
    await checkInAndOpen(page, "Tabletta", "tablet");
    await page.locator("#note-template option").nth(1).waitFor({ state: "attached" });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert(overflow <= 0, `nothing runs off the side (${overflow}px)`);
    for (const id of ["note-subjective", "note-plan", "dx-search", "px-search", "sign-note"])
      assert(await page.locator(`#${id}`).isVisible(), `${id} is there`);
    await screenshot(page, "visit-tablet");
  },
});
