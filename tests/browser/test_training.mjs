// test_training.mjs - the training environment in a real browser
// (docs/training.md "The web app in training"): in production the header
// offers "Practise in training" and no banner shows; a new physician
// switches to /training/, where the banner says it is training on every
// screen, the server marks every answer X-Stagewise-Environment: training
// and the app's API calls all go to /training/api and /training/fhir; the
// physician starts the e-prescribing course (their practice patients are
// made), tries amoxicillin for their penicillin-allergy case patient
// through the real chart, meets the allergy alert and does not send it,
// prescribes azithromycin instead (the exercise: an antibiotic that
// raises no alert), presses "Check my work" and sees the first exercise
// done; "Who can
// help?" beside the chart's heading lists the e-prescribing super-user
// the lead named, and "Ask for help" reaches that super-user. The lead
// then assigns an exercise and reads the training progress by stage on
// the Implementation screen's "Training progress" tab, reached by the old
// #/training-progress link (the trainee's state per module, the stage's
// totals, the CSV link; the tabs by keyboard, kept across a reload);
// the trainee sees the assignment and runs the timed proficiency check.

import { run, signInReady, screenshot, assert, call } from "./harness.mjs";

const TRAINEE = "dr.trainee";
const TRAINEE_PASSWORD = "trainee-password-1";
const COURSE = "course-eprescribing";
const PAYLOAD = `<img src=x onerror="window.__xss=1">`;

async function signOut(page) {
  await page.locator("#sign-out").click();
  await page.getByLabel("Username").waitFor();
}

// The trainee's patient of a case, from the training store.
async function casePatient(page, caseId) {
  const r = await call(page, "GET",
    `/training/fhir/Patient?identifier=${encodeURIComponent(`urn:stagewise:training:trainee|${TRAINEE}`)}`);
  assert(r.status === 200, `the trainee's patients (${r.status})`);
  const hit = (r.body.entry || []).map((e) => e.resource).find((p) => (p.identifier || [])
    .some((i) => i.system === "urn:stagewise:training:case" && i.value === caseId));
  assert(hit, `a ${caseId} patient for ${TRAINEE} (${JSON.stringify(r.body).slice(0, 300)})`);
  return hit.id;
}

async function fillDrug(page, name) {
  const form = page.locator("#prescribe-form");
  await page.locator("#rx-drug-search").fill(name);
  await page.locator("#rx-drug-search-list [role=option]").first().waitFor();
  await page.locator("#rx-drug-search").press("ArrowDown");
  await page.locator("#rx-drug-search").press("Enter");
  await page.locator("#rx-drug").filter({ hasText: new RegExp(name, "i") }).waitFor();
  await form.getByLabel("Quantity").fill("6");
  await form.getByLabel("Days supply").fill("5");
  await form.getByLabel("Pharmacy").fill("Main Street Pharmacy");
  await form.getByLabel("Instructions for the patient").fill("Take until finished.");
}

await run({
  async production_offers_training_and_no_banner({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const sw = page.locator("#env-switch");
    assert((await sw.innerText()) === "Practise in training", "the header offers training");
    assert((await sw.getAttribute("href")) === "/training/", "to /training/");
    assert(await page.locator("#env-banner").count() === 0, "no training banner in production");
    const me = await call(page, "GET", "/api/me");
    assert(me.body.environment === undefined || me.body.environment === "production", "production says so");
    await page.locator("#help-tools").getByText("Who can help?").waitFor();
    await page.locator("#nav-training").click();
    await page.locator("#training-title").waitFor();
    assert((await page.locator("#training-where").innerText()).includes("training environment"),
           "production's training home sends exercises to training");
  },

  async setup_super_user_and_trainee({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    const su = await call(page, "PUT", "/api/superusers/eprescribing/np.chen");
    assert(su.status === 200 || su.status === 201 || su.status === 204, `np.chen named (${su.status}: ${JSON.stringify(su.body)})`);
    await signOut(page);
    await signInReady(page, base, "admin.lee");
    const r = await call(page, "POST", "/api/users", { username: TRAINEE, display_name: "Dr. Tess Trainee",
      roles: ["physician"], password: TRAINEE_PASSWORD });
    assert(r.status === 201, `a new physician (${r.status}: ${JSON.stringify(r.body)})`);
  },

  async trainee_does_the_first_exercise_in_training({ page, base }) {
    // The API calls the app makes once the page is under /training/.
    const paths = [];
    let recording = false;
    page.on("request", (req) => {
      const u = new URL(req.url());
      if (recording && /^\/(training\/)?(api|fhir)(\/|$)/.test(u.pathname)) paths.push(u.pathname);
    });
    await signInReady(page, base, TRAINEE, TRAINEE_PASSWORD);
    await page.locator("#env-switch").click();
    await page.waitForURL(`${base}/training/**`);
    recording = true;
    const banner = page.locator("#env-banner");
    await banner.waitFor();
    assert((await banner.getAttribute("role")) === "status", "the banner is a status");
    assert((await banner.innerText()).includes("TRAINING — practice patients only; nothing here is real"), "its words");
    assert((await banner.getByRole("link", { name: "Leave training" }).getAttribute("href")) === "/", "the way out");
    await page.locator("#sign-out").waitFor();      // one sign-in works for both
    const env = await page.evaluate(async () => {
      const res = await fetch("/training/api/me", { credentials: "same-origin" });
      return { header: res.headers.get("X-Stagewise-Environment"), body: await res.json() };
    });
    assert(env.header === "training", `the server says training (${env.header})`);
    assert(env.body.environment === "training", "and /api/me says so");
    await screenshot(page, "training-1-banner");

    // The course: started from the training home.
    await page.locator("#nav-training").click();
    const card = page.locator(`#course-${COURSE}`);
    await card.waitFor();
    assert(await banner.isVisible(), "the banner stays on every screen");
    await card.getByRole("button", { name: /^Start course/ }).click();
    await card.getByRole("button", { name: "Check my work" }).waitFor();
    const first = card.locator(".exercise").first();
    assert(!(await first.getAttribute("class")).includes("exercise-done"), "the first exercise is not done yet");
    const missing = await first.locator(".exercise-missing").innerText();
    assert(missing.length > 0, "what the checker did not find, in a sentence");
    await screenshot(page, "training-2-course-started");

    // The exercise, through the real chart in training.
    recording = false;
    const pid = await casePatient(page, "penicillin-allergy");
    recording = true;
    await page.goto(`${base}/training/#/patients/${pid}`);
    await page.locator("#chart-title").waitFor();
    await page.getByRole("tab", { name: "Medications" }).click();
    await page.locator("#prescribe-form").waitFor();
    // Amoxicillin raises the allergy alert: handled by not sending it.
    await fillDrug(page, "amoxicillin");
    await page.getByRole("button", { name: "Check and send" }).click();
    await page.getByRole("alertdialog").waitFor();
    assert(/allergy/i.test(await page.locator("#rx-alerts-list").innerText()), "the allergy alert is raised");
    await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("alertdialog").waitFor({ state: "detached" });
    await page.locator("#rx-error").filter({ hasText: "Not sent." }).waitFor();
    // The exercise: an antibiotic that raises no alert.
    await fillDrug(page, "azithromycin");
    await page.getByRole("button", { name: "Check and send" }).click();
    await page.locator("#rx-sent").filter({ hasText: "Prescription sent" }).waitFor();
    await screenshot(page, "training-3-prescribed");
    recording = false;
    const prod = await call(page, "GET", `/fhir/Patient/${pid}`);
    recording = true;
    assert(prod.status === 404, `the practice patient is not in production (${prod.status})`);

    // Check my work: the checker reads the training store.
    await page.locator("#nav-training").click();
    await card.getByRole("button", { name: "Check my work" }).click();
    await card.locator(".exercise").first().and(page.locator(".exercise-done")).waitFor();
    assert((await card.locator(".course-progress").innerText()).startsWith("1 of"), "one exercise done");
    await screenshot(page, "training-4-checked");

    const wrong = paths.filter((p) => !p.startsWith("/training/"));
    assert(paths.length > 5 && wrong.length === 0, `every API call of the training page went to /training (${wrong.slice(0, 5)})`);
  },

  async who_can_help_and_ask_for_help({ page, base }) {
    // Signing in on the training page itself: the banner is there first.
    await page.goto(`${base}/training/`);
    await page.locator("#env-banner").waitFor();
    await page.getByLabel("Username").fill(TRAINEE);
    await page.getByLabel("Password").fill(TRAINEE_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#sign-out").waitFor();
    assert(new URL(page.url()).pathname === "/training/", "still in training after signing in");
    const pid = await casePatient(page, "penicillin-allergy");
    await page.goto(`${base}/training/#/patients/${pid}`);
    await page.locator("#chart-title").waitFor();
    const tools = page.locator("#help-tools");
    await tools.getByText("Who can help?").click();
    const row = page.locator("#helpers-list li[data-module=eprescribing]");
    await row.waitFor();
    assert(await row.locator("[data-user='np.chen']").count() === 1, `np.chen helps with e-prescribing (${await row.innerText()})`);
    await tools.getByRole("button", { name: "Ask for help" }).click();
    const dialog = page.locator("#help-dialog");
    await dialog.waitFor();
    assert((await dialog.innerText()).includes("Do not include patient details"), "the dialog warns");
    await dialog.getByLabel("With").selectOption("eprescribing");
    await dialog.getByLabel(/What do you need/).fill(`How do I override an alert? ${PAYLOAD}`);
    await screenshot(page, "training-5-ask-for-help");
    await dialog.getByRole("button", { name: "Send" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator("#banner").filter({ hasText: "request for help was sent" }).waitFor();
    // Leaving training: production, no banner, the same session.
    await page.locator("#env-banner").getByRole("link", { name: "Leave training" }).click();
    await page.locator("#env-switch").filter({ hasText: "Practise in training" }).waitFor();
    assert(await page.locator("#env-banner").count() === 0, "no banner back in production");
    await signOut(page);

    await signInReady(page, base, "np.chen");
    const help = await call(page, "GET", "/api/help");
    assert(help.status === 200, `the super-user's help requests (${help.status})`);
    const all = JSON.stringify(help.body);
    assert(all.includes(TRAINEE) && all.includes("eprescribing") && all.includes("chart"),
           `the request reached np.chen with its module and screen (${all.slice(0, 400)})`);
    const inbox = await call(page, "GET", "/api/inbox");
    assert((inbox.body.help || []).some((i) => i.module === "eprescribing" && i.screen === "chart"),
           `and an inbox item (${JSON.stringify(inbox.body).slice(0, 400)})`);
    await page.locator("#inbox-count").filter({ hasText: /^[1-9]/ }).waitFor();
    // The super-user reads it in the inbox itself (markup stays text),
    // under its own heading, and "Done" answers it: it leaves the inbox and
    // the training home shows it answered.
    await page.locator("#nav-inbox").click();
    await page.getByRole("heading", { name: "Help requests" }).waitFor();
    const got = page.locator("#inbox-help li.help-request").filter({ hasText: "How do I override" });
    await got.waitFor();
    const gt = await got.innerText();
    assert(gt.includes(PAYLOAD) && gt.includes("E-prescribing") && gt.includes("chart") && gt.includes("asks for help"),
           `the request as text, with who asks, the module and the screen (${gt})`);
    assert(await page.evaluate(() => window.__xss === undefined), "no script ran");
    await screenshot(page, "training-6-help-in-inbox");
    await got.getByRole("button", { name: /^Done: mark the request from .* answered$/ }).click();
    await page.waitForFunction(() => !document.querySelector("#inbox-help").textContent.includes("How do I override"));
    await page.locator("#nav-training").click();
    await page.locator("#help-received li.help-answered").first().waitFor();
  },

  async lead_assigns_and_sees_progress_by_stage({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    // The demo practice's plan when it has one (a stage of it holds
    // e-prescribing), else one from a template.
    const current = await call(page, "GET", "/api/plan");
    if (!(current.body && current.body.plan)) {
      const plan = await call(page, "POST", "/api/plan/template", { template: "front-office-first", start: "2027-01-04", version: 0 });
      assert(plan.status === 200 || plan.status === 201, `a plan (${plan.status}: ${JSON.stringify(plan.body).slice(0, 200)})`);
    }
    const a = await call(page, "POST", "/api/training/assignments", { username: TRAINEE, course: COURSE,
      exercise: "renew-metformin", reason: "Before the clinical stage", due: "2027-02-15" });
    assert(a.status === 201 || a.status === 200, `an assignment (${a.status}: ${JSON.stringify(a.body)})`);
    // The training home's link (the old #/training-progress address) opens
    // the Implementation screen on its "Training progress" tab.
    await page.locator("#nav-training").click();
    await page.locator("#open-training-progress").click();
    await page.locator("#training-progress-title").waitFor();
    assert(new URL(page.url()).hash === "#/implementation", `the address is the Implementation screen's (${page.url()})`);
    await page.locator("#implementation-title").waitFor();
    const tab = page.getByRole("tab", { name: "Training progress" });
    assert(await tab.getAttribute("aria-selected") === "true", "the Training progress tab is open");
    assert(await page.locator("#impl-panel-plan").isHidden(), "the plan's panel is hidden");
    const csv = page.locator("#training-csv");
    assert((await csv.getAttribute("href")) === "/api/training/records.csv", "the CSV download");
    const row = page.locator(`.progress-table tr[data-user='${TRAINEE}'] td[data-module=eprescribing]`).first();
    await row.waitFor();
    const t = await row.innerText();
    assert(t.includes("Started: 1 of 2 exercises") && t.includes("No proficiency check yet"), `the trainee's e-prescribing (${t})`);
    const stageCard = page.locator(".progress-stage").filter({ has: page.locator(`td[data-module=eprescribing]`) }).first();
    const totals = await stageCard.locator(".progress-totals").innerText();
    assert(/Training completed: 0 of \d+ \(0%\)/.test(totals) && totals.includes("Proficiency passed"), `the stage's totals (${totals})`);
    await screenshot(page, "training-6-progress");
    // The tabs by keyboard: the plan and back; a reload keeps the open tab.
    await tab.focus();
    await page.keyboard.press("ArrowLeft");
    assert(await page.getByRole("tab", { name: "Plan" }).getAttribute("aria-selected") === "true", "ArrowLeft opens the plan");
    await page.locator("#plan-body").waitFor();
    await page.keyboard.press("End");
    await page.locator(`.progress-table tr[data-user='${TRAINEE}']`).first().waitFor();
    await page.reload();
    await page.locator("#training-progress-title").waitFor();
    assert(await page.getByRole("tab", { name: "Training progress" }).getAttribute("aria-selected") === "true",
           "after a reload the tab is still open");
    // From another screen the Implementation link opens the plan first,
    // and Back returns to the tab that was open.
    await page.locator("#nav-training").click();
    await page.locator("#open-training-progress").waitFor();
    await page.locator("#nav-implementation").click();
    await page.locator("#plan-body").waitFor();
    assert(await page.getByRole("tab", { name: "Plan" }).getAttribute("aria-selected") === "true", "the plan tab first");
    await page.goBack();
    await page.locator("#open-training-progress").waitFor();
    await page.goBack();
    await page.locator("#training-progress-title").waitFor();
    assert(await page.getByRole("tab", { name: "Training progress" }).getAttribute("aria-selected") === "true",
           "Back returns to the training progress tab");
  },

  async trainee_sees_assignment_and_runs_proficiency({ page, base }) {
    await signInReady(page, base, TRAINEE, TRAINEE_PASSWORD);
    await page.goto(`${base}/training/#/training`);
    const assigned = page.locator("#training-assignments li").first();
    await assigned.waitFor();
    const at = await assigned.innerText();
    assert(at.includes(COURSE) && at.includes("due 2027-02-15") && at.includes("Before the clinical stage"), `the assignment (${at})`);
    const card = page.locator(`#course-${COURSE}`);
    const prof = card.locator(".proficiency");
    assert((await prof.innerText()).includes("20 minutes") || /\d+ minutes/.test(await prof.innerText()), "the time limit shown");
    assert(await card.getByRole("button", { name: "Finish the proficiency check" }).isDisabled(), "nothing to finish yet");
    await card.getByRole("button", { name: "Start the proficiency check" }).click();
    await card.getByRole("button", { name: "Finish the proficiency check" }).and(page.locator(":enabled")).waitFor();
    await card.getByRole("button", { name: "Finish the proficiency check" }).click();
    const result = card.locator(`#course-${COURSE}-prof-result`);
    await result.waitFor();
    assert(/^(Passed|Not passed): \d+%/.test(await result.innerText()), `a score (${await result.innerText()})`);
    await screenshot(page, "training-7-proficiency");
  },
});
