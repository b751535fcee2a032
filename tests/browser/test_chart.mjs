// test_chart.mjs - a patient's chart in a real browser, on the demo
// practice with the Synthea patients of tests/data/synthea loaded: the
// summary sections filled from the record, the allergy banner for none
// recorded, a high-criticality allergy and "no known allergies", a nurse
// recording vital signs (a bad value refused beside the form, BMI
// computed, the list refreshed), a physician keeping the allergy list
// (no known allergies, then a real one that retires it, then the
// contradiction refused), and a role that may not see clinical
// data told so in each section instead of a blank screen, with no form.

import { join } from "node:path";
import { run, signIn, screenshot, assert, testData } from "./harness.mjs";

async function openChart(page, family) {
  await page.locator("#patient-search").fill(family);
  await page.locator("#search-results a").first().click();
  await page.locator("#chart-title").waitFor();
}

// Creates a resource as the signed-in user, from the page (cookie + CSRF).
async function create(page, resource) {
  return page.evaluate(async (r) => {
    const res = await fetch(`/fhir/${r.resourceType}`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/fhir+json",
                 "X-CSRF-Token": sessionStorage.getItem("stagewise.csrf") },
      body: JSON.stringify(r) });
    return res.status;
  }, resource);
}

function idFromUrl(page) {
  return decodeURIComponent(new URL(page.url()).hash.replace("#/patients/", ""));
}

await run({
  async summary_comes_from_the_record({ page, base }) {
    await signIn(page, base, "dr.rivera");
    await openChart(page, "Schumm");
    assert((await page.locator("#chart-title").innerText()).includes("Schumm"), "the chart is hers");
    await page.locator("#section-problems li").first().waitFor();
    const problems = await page.locator("#section-problems").innerText();
    assert(problems.includes("Chronic sinusitis"), `active problems listed (${problems})`);
    await page.locator("#section-vitals li").first().waitFor();
    await page.locator("#section-visits li").first().waitFor();
    await page.locator("#section-results li").first().waitFor();
    await page.locator("#section-immunizations li").first().waitFor();
    const vitals = await page.locator("#section-vitals li").count();
    assert(vitals > 0 && vitals <= 12, `recent vitals, newest first (${vitals})`);
    await page.locator("#allergy-banner").filter({ hasText: "none recorded" }).waitFor();
    await screenshot(page, "chart-summary");
  },

  async allergy_banner_shows_severity({ page, base }) {
    await signIn(page, base, "dr.rivera");
    await openChart(page, "Harvey");
    const pid = idFromUrl(page);
    const status = await create(page, {
      resourceType: "AllergyIntolerance", patient: { reference: `Patient/${pid}` },
      clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active" }] },
      verificationStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", code: "confirmed" }] },
      criticality: "high",
      code: { coding: [{ system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "7980", display: "Penicillin G" }], text: "Penicillin" },
      reaction: [{ manifestation: [{ text: "Hives" }] }] });
    assert(status === 201, `the allergy was recorded (${status})`);
    await page.reload();
    await page.locator("#allergy-banner.allergy-high").filter({ hasText: "Penicillin" }).waitFor();
    const text = await page.locator("#allergy-banner").innerText();
    assert(text.includes("high criticality") && text.includes("Hives"), `severity and reaction shown (${text})`);
    await screenshot(page, "allergy-banner");

    await page.getByRole("link", { name: "← Back to patients" }).click();
    await openChart(page, "Kihn");
    const kihn = idFromUrl(page);
    assert(await create(page, {
      resourceType: "AllergyIntolerance", patient: { reference: `Patient/${kihn}` },
      code: { coding: [{ system: "http://snomed.info/sct", code: "716186003", display: "No known allergy" }] } }) === 201,
      "no known allergies recorded");
    await page.reload();
    await page.locator("#allergy-banner.allergy-none").filter({ hasText: "no known allergies" }).waitFor();
  },

  async nurse_records_vital_signs({ page, base }) {
    await signIn(page, base, "rn.okafor");
    await openChart(page, "Kihn");
    const form = page.locator("#vitals-form");
    await form.getByLabel("SpO₂ (%)").fill("150");
    await form.getByRole("button", { name: "Save vital signs" }).click();
    await page.locator("#vitals-error").filter({ hasText: "spo2" }).waitFor();
    await form.getByLabel("SpO₂ (%)").fill("97");
    await form.getByLabel("Height (cm)").fill("170");
    await form.getByLabel("Weight (kg)").fill("65");
    await form.getByLabel("Systolic (mmHg)").fill("118");
    await form.getByLabel("Diastolic (mmHg)").fill("76");
    await form.getByLabel("Smoking status").selectOption("never");
    await form.getByRole("button", { name: "Save vital signs" }).click();
    await page.locator("#vitals-saved").filter({ hasText: "BMI 22.5" }).waitFor();
    await page.locator("#section-vitals li").filter({ hasText: "Body mass index (BMI) [Ratio]: 22.5 kg/m2" }).waitFor();
    const vitals = await page.locator("#section-vitals").innerText();
    assert(vitals.includes("Systolic") && vitals.includes("118"), `the new blood pressure is listed (${vitals})`);
    await screenshot(page, "vitals-recorded");
  },

  async allergy_list_from_the_chart({ page, base }) {
    await signIn(page, base, "dr.rivera");
    await openChart(page, "Schumm");
    const form = page.locator("#allergy-form");
    await form.getByRole("button", { name: "No known allergies" }).click();
    await page.locator("#allergy-banner.allergy-none").waitFor();
    await form.getByRole("button", { name: "Record allergy" }).click();
    await form.locator("#allergy-form .field-error, .field-error").filter({ hasText: "Enter the substance." }).first().waitFor();
    await form.getByLabel("Substance").fill("Peanuts");
    await form.getByLabel("Category").selectOption("food");
    await form.getByLabel("Criticality").selectOption("high");
    await form.getByLabel("Reaction", { exact: true }).fill("Anaphylaxis");
    await form.getByLabel("Reaction severity").selectOption("severe");
    await form.getByRole("button", { name: "Record allergy" }).click();
    await page.locator("#allergy-banner.allergy-high").filter({ hasText: "Peanuts" }).waitFor();
    assert(!(await page.locator("#allergy-banner").innerText()).includes("no known"),
           "the no-known-allergies entry was retired");
    await form.getByRole("button", { name: "No known allergies" }).click();
    await page.locator("#allergy-error").filter({ hasText: "would contradict it" }).waitFor();
    await screenshot(page, "allergy-recorded");
  },

  async front_desk_is_told_what_it_may_not_see({ page, base }) {
    await signIn(page, base, "desk.patel");
    await openChart(page, "Schumm");
    await page.locator("#section-problems .form-error").filter({ hasText: "may not read" }).waitFor();
    await page.locator("#allergy-slot .form-error").waitFor();
    const facts = await page.locator(".facts").innerText();
    assert(facts.includes("Birth date"), "demographics are still shown");
    assert(await page.locator("#vitals-form").count() === 0, "no form it could not use");
    await screenshot(page, "chart-front-desk");
  },
}, { imports: [join(testData, "synthea")] });
