// test_patient_edit.mjs - editing a patient's details from the chart
// header in a real browser: the dialog opens from the keyboard filled in
// from the record, saving changes the name, birth date, phone (as digits)
// and address and the header shows them, while every element the form
// does not show (an extension, a second identifier, another name, an
// e-mail address, the address's own extension) is kept and the version
// goes up; Escape and Cancel save nothing and give focus back to the
// button; the server's 400 is shown beside the form; a colleague's change
// after the form opened is a 412 shown as a conflict with "Reload",
// nothing overwritten; front desk and nurses may edit; a stored
// year-only birth date is kept; the practice administrator
// (demographics:read only) gets no button; script payloads in the family
// name and address stay text.

import { run, signInReady, screenshot, assert, call } from "./harness.mjs";

const EXTENSION = { url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", valueCode: "F" };
const OTHER_ID = { system: "https://github.com/synthetichealth/synthea", value: "b3c1-77" };

// A patient with elements the form does not show; resolves to its id.
async function richPatient(page, family) {
  const r = await call(page, "POST", "/fhir/Patient", {
    resourceType: "Patient", active: true, extension: [EXTENSION],
    identifier: [OTHER_ID, { system: "urn:stagewise:mrn", value: "MRN-4471" }],
    name: [{ use: "official", family, given: ["Jo"], prefix: ["Ms."] }, { use: "maiden", family: "Maidenly" }],
    telecom: [{ system: "email", value: "jo@example.org" }, { system: "phone", value: "555-201-3344", use: "home" }],
    gender: "female", birthDate: "1980-02-03",
    address: [{ use: "home", line: ["12 Old Road"], city: "Boston", state: "MA", postalCode: "02118", country: "US",
                extension: [{ url: "http://hl7.org/fhir/StructureDefinition/geolocation",
                              extension: [{ url: "latitude", valueDecimal: 42.3 }, { url: "longitude", valueDecimal: -71.1 }] }] }] });
  if (r.status !== 201) throw new Error(`could not create a patient (${r.status}: ${JSON.stringify(r.body)})`);
  return r.body.id;
}

async function openChart(page, base, pid) {
  await page.goto(`${base}/#/patients/${pid}`);
  await page.locator("#chart-title").waitFor();
}

async function read(page, pid) {
  const r = await call(page, "GET", `/fhir/Patient/${pid}`);
  assert(r.status === 200, `the patient reads back (${r.status})`);
  return r.body;
}

const focused = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

async function openForm(page) {
  await page.locator("#edit-details").focus();
  await page.keyboard.press("Enter");
  await page.locator("#edit-dialog").waitFor();
  return page.locator("#edit-dialog");
}

async function closed(page) {
  await page.locator("#edit-dialog").waitFor({ state: "detached" });
  assert(await focused(page) === "edit-details", `focus is back on Edit details (${await focused(page)})`);
}

await run({
  async physician_edits_and_the_rest_is_kept({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await richPatient(page, "Oldname");
    await openChart(page, base, pid);

    // Filled in from the record, every field found by its label.
    let dialog = await openForm(page);
    assert(await focused(page) === "edit-family", "the first field has focus");
    const value = (label) => dialog.getByLabel(label, { exact: true }).inputValue();
    assert(await value("Family name") === "Oldname", "family name filled in");
    assert(await value("Given names") === "Jo", "given names filled in");
    assert(await value("Birth date") === "1980-02-03", "birth date filled in");
    assert(await value("Sex") === "female", "sex filled in");
    assert(await value("Phone") === "555-201-3344", "phone filled in");
    assert(await value("MRN") === "MRN-4471", "MRN filled in");
    assert(await value("Street address (one line per row)") === "12 Old Road", "address line filled in");
    assert(await value("City") === "Boston" && await value("State") === "MA" && await value("Postal code") === "02118",
           "city, state and postal code filled in");
    await screenshot(page, "patient-edit-form");

    // Escape and Cancel save nothing.
    await dialog.getByLabel("Family name").fill("Escaped");
    await page.keyboard.press("Escape");
    await closed(page);
    dialog = await openForm(page);
    assert(await dialog.getByLabel("Family name").inputValue() === "Oldname", "the form forgot what Escape dropped");
    await dialog.getByLabel("Family name").fill("Cancelled");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await closed(page);
    assert((await read(page, pid)).meta.versionId === "1", "Escape and Cancel saved nothing");

    // A birth date the server refuses (a five-digit year): its sentence
    // beside the form, which stays open.
    dialog = await openForm(page);
    await dialog.getByLabel("Birth date").evaluate((el) => { el.value = "20000-02-03"; });
    await dialog.getByRole("button", { name: "Save details" }).click();
    await page.locator("#edit-error").filter({ hasText: "not a valid date" }).waitFor();
    assert(await page.locator("#edit-dialog").isVisible(), "the form is still there");
    assert((await read(page, pid)).meta.versionId === "1", "nothing saved on a 400");

    // A save: name, birth date, phone, address.
    await dialog.getByLabel("Family name").fill("Newname");
    await dialog.getByLabel("Given names").fill("Ann  Marie");
    await dialog.getByLabel("Birth date").fill("1981-05-06");
    await dialog.getByLabel("Phone").fill("(555) 201-7788");
    await dialog.getByLabel("Street address (one line per row)").fill("34 New Street\nApt 5");
    await dialog.getByLabel("Phone").press("Enter");
    await closed(page);
    await page.locator("#chart-title").filter({ hasText: "Ann Marie Newname" }).waitFor();
    const facts = await page.locator(".facts").innerText();
    assert(facts.includes("1981-05-06") && facts.includes("5552017788") && facts.includes("MRN-4471"),
           `the header shows the new details (${facts})`);
    assert(facts.includes("34 New Street, Apt 5, Boston, MA 02118"), `the header shows the new address (${facts})`);
    await page.locator("#edit-details-saved").filter({ hasText: "Details saved." }).waitFor();

    const p = await read(page, pid);
    assert(p.meta.versionId === "2", `the version went up (${p.meta.versionId})`);
    assert(JSON.stringify(p.extension) === JSON.stringify([EXTENSION]), `the extension was kept (${JSON.stringify(p.extension)})`);
    assert(p.identifier.some((i) => i.system === OTHER_ID.system && i.value === OTHER_ID.value), "the other identifier was kept");
    assert(p.identifier.some((i) => i.system === "urn:stagewise:mrn" && i.value === "MRN-4471"), "the MRN was kept");
    const official = p.name.find((n) => n.use === "official");
    assert(official.family === "Newname" && JSON.stringify(official.given) === '["Ann","Marie"]', `the name changed (${JSON.stringify(official)})`);
    assert(JSON.stringify(official.prefix) === '["Ms."]', "the prefix was kept");
    assert(p.name.some((n) => n.use === "maiden" && n.family === "Maidenly"), "the maiden name was kept");
    assert(p.birthDate === "1981-05-06" && p.gender === "female", "birth date changed, sex kept");
    assert(p.telecom.some((t) => t.system === "email" && t.value === "jo@example.org"), "the e-mail address was kept");
    assert(p.telecom.filter((t) => t.system === "phone").map((t) => t.value).join() === "5552017788", "the phone is stored as digits");
    const a = p.address[0];
    assert(JSON.stringify(a.line) === '["34 New Street","Apt 5"]' && a.city === "Boston" && a.country === "US",
           `the address line changed, the rest kept (${JSON.stringify(a)})`);
    assert(a.extension && a.extension[0].url.endsWith("geolocation"), "the address's extension was kept");

    // The new details are found by search.
    const found = await call(page, "GET", "/fhir/Patient?phone=5552017788");
    assert((found.body.entry || []).some((e) => e.resource.id === pid), "found by the new phone");
  },

  async a_colleagues_change_is_not_overwritten({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await richPatient(page, "Raceway");
    await openChart(page, base, pid);
    const dialog = await openForm(page);
    await dialog.getByLabel("Family name").fill("Mine");

    // Meanwhile a colleague changes the phone.
    const theirs = await read(page, pid);
    theirs.telecom = [{ system: "phone", value: "5550001111", use: "home" }];
    const put = await call(page, "PUT", `/fhir/Patient/${pid}`, theirs);
    assert(put.status === 200, `the colleague saved (${put.status})`);

    await dialog.getByRole("button", { name: "Save details" }).click();
    const conflict = page.locator("#edit-conflict");
    await conflict.filter({ hasText: "Someone else changed this patient's details" }).waitFor();
    assert(await conflict.getByRole("button", { name: "Reload" }).isVisible(), "Reload is offered");
    assert(await focused(page) === "edit-reload", "focus moves to Reload");
    await screenshot(page, "patient-edit-conflict");
    let p = await read(page, pid);
    assert(p.meta.versionId === "2" && p.name[0].family === "Raceway" && p.telecom[0].value === "5550001111",
           `nothing was overwritten (${JSON.stringify(p)})`);

    // Reload shows their change; saving again works on the new version.
    await conflict.getByRole("button", { name: "Reload" }).click();
    await page.locator("#edit-info").filter({ hasText: "Reloaded" }).waitFor();
    assert(await page.locator("#edit-conflict").isHidden(), "the conflict message is gone");
    assert(await dialog.getByLabel("Phone").inputValue() === "5550001111", "the form shows their phone");
    assert(await dialog.getByLabel("Family name").inputValue() === "Raceway", "and the saved name");
    assert((await page.locator(".facts").innerText()).includes("5550001111"), "the header shows their phone");
    await dialog.getByLabel("Family name").fill("Mine");
    await dialog.getByRole("button", { name: "Save details" }).click();
    await closed(page);
    await page.locator("#chart-title").filter({ hasText: "Jo Mine" }).waitFor();
    p = await read(page, pid);
    assert(p.meta.versionId === "3" && p.name[0].family === "Mine" && p.telecom[0].value === "5550001111",
           `saved over their version, keeping their phone (${JSON.stringify(p)})`);
  },

  async front_desk_and_nurse_may_edit({ page, base }) {
    await signInReady(page, base, "desk.patel");
    const pid = await richPatient(page, "Deskwork");
    await openChart(page, base, pid);
    let dialog = await openForm(page);
    await dialog.getByLabel("Phone").fill("555 777 8899");
    await dialog.getByLabel("MRN").fill("MRN-9000");
    await dialog.getByRole("button", { name: "Save details" }).click();
    await closed(page);
    await page.locator(".facts").filter({ hasText: "5557778899" }).waitFor();
    assert((await page.locator(".facts").innerText()).includes("MRN-9000"), "the header shows the new MRN");
    const p = await read(page, pid);
    assert(p.identifier.some((i) => i.value === OTHER_ID.value) && p.identifier.some((i) => i.value === "MRN-9000")
           && p.identifier.length === 2, `the MRN changed in place (${JSON.stringify(p.identifier)})`);

    await page.locator("#sign-out").click();
    await signInReady(page, base, "rn.okafor");
    await openChart(page, base, pid);
    dialog = await openForm(page);
    await dialog.getByLabel("City").fill("Cambridge");
    await dialog.getByRole("button", { name: "Save details" }).click();
    await closed(page);
    await page.locator(".facts").filter({ hasText: "Cambridge, MA" }).waitFor();
  },

  async a_partial_birth_date_is_kept({ page, base }) {
    await signInReady(page, base, "desk.patel");
    const r = await call(page, "POST", "/fhir/Patient", {
      resourceType: "Patient", name: [{ use: "official", family: "Yearonly", given: ["Pat"] }], birthDate: "1980" });
    assert(r.status === 201, `created (${r.status})`);
    await openChart(page, base, r.body.id);
    const dialog = await openForm(page);
    await page.locator("#edit-birthDate-error").filter({ hasText: "Stored as 1980" }).waitFor();
    await dialog.getByLabel("Phone").fill("5553334444");
    await dialog.getByRole("button", { name: "Save details" }).click();
    await closed(page);
    const p = await read(page, r.body.id);
    assert(p.birthDate === "1980" && p.telecom[0].value === "5553334444", `the year stayed (${JSON.stringify(p)})`);
  },

  async no_button_without_demographics_write({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await richPatient(page, "Readonly");
    await page.locator("#sign-out").click();
    await signInReady(page, base, "admin.lee");
    const me = await call(page, "GET", "/api/me");
    assert(me.body.permissions.includes("demographics:read") && !me.body.permissions.includes("demographics:write"),
           `the practice administrator reads demographics only (${me.body.permissions})`);
    await openChart(page, base, pid);
    await page.locator(".facts").filter({ hasText: "MRN-4471" }).waitFor();
    assert(await page.locator("#edit-details").count() === 0, "no Edit details button");
  },

  async payloads_stay_text({ page, base }) {
    const dialogs = [];
    page.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    await signInReady(page, base, "dr.rivera");
    const pid = await richPatient(page, "Plain");
    await openChart(page, base, pid);
    const family = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"'&`;
    const line = `<svg onload="window.__xss=3"></svg><b>bold</b>`;
    let dialog = await openForm(page);
    await dialog.getByLabel("Family name").fill(family);
    await dialog.getByLabel("Street address (one line per row)").fill(line);
    await dialog.getByRole("button", { name: "Save details" }).click();
    await closed(page);
    await page.locator("#chart-title").filter({ hasText: family }).waitFor();
    assert((await page.locator("#chart-title").innerText()) === `Jo ${family}`, "the name is shown as typed");
    assert((await page.locator(".facts").innerText()).includes(line), "the address is shown as typed");
    dialog = await openForm(page);
    assert(await dialog.getByLabel("Family name").inputValue() === family, "the form shows the characters back");
    await page.keyboard.press("Escape");
    await closed(page);
    await page.reload();
    await page.locator("#chart-title").filter({ hasText: family }).waitFor();
    assert(dialogs.length === 0, `no dialog opened (${dialogs.join(", ")})`);
    assert(await page.evaluate(() => window.__xss === undefined), "no payload ran");
    assert(await page.locator("main img[src=x], main script, main svg[onload], main b").count() === 0,
           "no element was made from data");
  },
});
