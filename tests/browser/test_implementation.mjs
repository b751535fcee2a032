// test_implementation.mjs - the Implementation screen in a real browser,
// on its own demo database (the plan made here hides modules from the
// clinicians of this server only): a physician has no Implementation
// entry; the implementation lead starts the plan from the
// front-office-first template, sees the four stages as a timeline and the
// linter's warnings, ticks a checklist item (who and when shown), is
// refused a go-live with each failed gate listed beside the stage, forces
// it with a reason and sees the stage live; a physician then has the
// registration and scheduling features and a "Coming soon" note for
// e-prescribing, and the lead's "Who has what live" table says so (and
// filters by role); the lead rolls the stage back, reads the history and the
// changes between two versions, adds and removes an override, and
// changes a target date (and sees a colleague's save refused as a
// conflict, with markup in a stage name and comment shown as text), and
// a date out of order shown as an error that blocks go-live; the screen
// at 768×1024.

import { run, signInReady, screenshot, assert, call } from "./harness.mjs";

async function openImplementation(page) {
  await page.locator("#nav-implementation").click();
  await page.locator("#implementation-title").waitFor();
}

const stage = (page, id) => page.locator(`#stage-${id}`);

await run({
  async physician_has_no_implementation_entry({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    assert(await page.locator("#nav-implementation").count() === 0, "no Implementation link for a physician");
    await page.goto(`${base}/#/implementation`);
    await page.locator("#patient-search").waitFor();
    assert(await page.locator("#implementation").count() === 0, "the route shows the patients screen instead");
    assert(await page.locator("#coming").isHidden(), "no coming-soon note without a plan");
  },

  async lead_applies_template_timeline_and_lint({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    const tpl = page.locator("[data-template=front-office-first]");
    await tpl.waitFor();
    const text = await page.locator("#templates").innerText();
    assert(text.includes("Big Bang") && text.includes("Front office first") && text.includes("Choose it when"),
           "the templates with when to choose them");
    assert((await tpl.innerText()).includes("Registration, Scheduling"), "module titles in the stages");
    await screenshot(page, "implementation-templates");
    await page.getByLabel(/^Start date/).fill("2027-01-04");
    await tpl.getByRole("button", { name: "Use this template" }).click();
    await page.locator("#timeline-list > li").nth(3).waitFor();
    assert(await page.locator("#timeline-list > li").count() === 4, "four stages");
    const first = await stage(page, "front-office").innerText();
    assert(first.includes("Stage 1: Front office") && first.includes("Planned") && first.includes("2027-02-01")
           && first.includes("Registration, Scheduling") && first.includes("Everyone"),
           `stage 1 with name, state, date, modules and cohort in words (${first})`);
    assert((await stage(page, "billing").innerText()).includes("Charge capture"), "the billing stage");
    // A dozen warnings are folded under their count; the summary opens them.
    const warningsBox = page.locator("#lint-warnings-box summary");
    await warningsBox.waitFor();
    assert(/^Warnings \(\d+\)/.test(await warningsBox.innerText()), "the count of warnings");
    await warningsBox.focus();
    await page.keyboard.press("Enter");
    await page.locator("#lint-warnings li").first().waitFor();
    const lint = await page.locator("#lint").innerText();
    assert(lint.includes("Warning:") && lint.includes("on paper"), "the linter's sentences");
    assert(await page.locator("#lint-errors").count() === 0, "the template has no errors");
    assert((await page.locator("#lint-summary").innerText()).startsWith("0 errors"), "the summary counts");
    // The gates of stage 1: no training data yet, so they block.
    await stage(page, "front-office").locator(".gate-check[data-gate=training_completion]").waitFor();
    assert((await stage(page, "front-office").locator(".gate-check[data-gate=training_completion]").innerText())
           .includes("No data (blocks go-live)"), "a gate with no data blocks, in words");
    await screenshot(page, "implementation-timeline");
  },

  async checklist_tick_and_go_live_refused({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    const s1 = stage(page, "front-office");
    const box = s1.getByLabel("Downtime procedures are printed and rehearsed");
    await box.waitFor();
    assert(!(await box.isChecked()), "not ticked yet");
    // From the keyboard.
    await box.focus();
    await page.keyboard.press("Space");
    const who = s1.locator("[data-item=downtime-plan] .ticked-by");
    await who.filter({ hasText: "Ticked by lead.morgan" }).waitFor();
    assert(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(await who.innerText()), "with when");
    await page.reload();
    await s1.locator("[data-item=downtime-plan] .ticked-by").filter({ hasText: "Ticked by lead.morgan" }).waitFor();
    assert(await s1.getByLabel("Downtime procedures are printed and rehearsed").isChecked(), "kept");
    // Unticking and ticking again.
    await s1.getByLabel("Downtime procedures are printed and rehearsed").uncheck();
    await s1.locator("[data-item=downtime-plan] .ticked-by").filter({ hasText: "Not ticked yet." }).waitFor();
    await s1.getByLabel("Downtime procedures are printed and rehearsed").check();
    await s1.locator("[data-item=downtime-plan] .ticked-by").filter({ hasText: "Ticked by lead.morgan" }).waitFor();

    await s1.getByRole("button", { name: "Go live: Front office" }).click();
    const dialog = page.locator("#golive-confirm");
    await dialog.waitFor();
    assert((await dialog.innerText()).includes("Registration, Scheduling will go live for everyone"), "the confirmation says what happens");
    // Escape cancels: nothing happens.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await s1.getByRole("button", { name: "Go live: Front office" }).click();
    await page.locator("#golive-confirm").getByRole("button", { name: "Go live" }).click();
    const failures = page.locator("#stage-front-office-failures");
    await failures.locator("li").first().waitFor();
    const ftext = await failures.innerText();
    assert(ftext.includes("Go-live refused") && ftext.includes("Training completion") && ftext.includes("Proficiency")
           && ftext.includes("Readiness checklist"), `each failed gate listed beside the stage (${ftext})`);
    assert(!ftext.includes("Earlier stages live"), "passed checks are not failures");
    assert((await s1.locator(".stage-state").innerText()).includes("Planned"), "still planned");
    await screenshot(page, "implementation-go-live-refused");
  },

  async force_go_live_with_a_reason({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    const s1 = stage(page, "front-office");
    await s1.getByRole("button", { name: "Force go-live: Front office" }).click();
    const dialog = page.locator("#force-dialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Force go-live" }).click();
    await dialog.locator(".field-error").filter({ hasText: "Give the reason." }).waitFor();
    await dialog.getByLabel("Reason").fill("Training records are kept on paper until the training module is live");
    await screenshot(page, "implementation-force-dialog");
    await dialog.getByRole("button", { name: "Force go-live" }).click();
    await dialog.waitFor({ state: "detached" });
    await s1.locator(".stage-state").filter({ hasText: "Live since" }).waitFor();
    assert(await s1.getByRole("button", { name: "Roll back: Front office" }).count() === 1, "a live stage can be rolled back");
    assert(await s1.getByRole("button", { name: "Go live: Front office" }).count() === 0, "and no longer goes live");
    // Stage 2's first check now passes (every earlier stage is live).
    const earlier = stage(page, "documentation").locator(".gate-check[data-gate=earlier_stages]");
    await earlier.waitFor();
    assert((await earlier.innerText()).includes("Passed"), "stage 2's earlier stages pass");
    await screenshot(page, "implementation-forced-live");
  },

  async who_has_what_live_after_the_go_live({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    const table = page.locator("#live-table");
    await table.waitFor();
    assert((await table.locator("caption").innerText()).includes("Modules live for each person"), "a caption");
    assert(await table.locator("thead th[scope=col]").filter({ hasText: "E-prescribing" }).count() === 1, "a header per module");
    const dr = table.locator("tr[data-user='dr.rivera']");
    const reg = dr.locator("td[data-module=registration]");
    const erx = dr.locator("td[data-module=eprescribing]");
    const rt = await reg.innerText(), et = await erx.innerText();
    assert(rt.startsWith("Live") && rt.includes("their stage is live for them"), `registration live (${rt})`);
    assert(!et.startsWith("Live") && et.includes("Not live") && et.includes("not gone live"), `e-prescribing not live (${et})`);
    await page.getByLabel("Filter people").fill("physician");
    await page.locator("#live-count").filter({ hasText: "Showing" }).waitFor();
    assert(await dr.isVisible(), "the physician stays");
    assert(await table.locator("tr[data-user='lead.morgan']").isHidden(), "the lead is filtered out");
    await screenshot(page, "implementation-who-has-what-live");
  },

  async physician_sees_registration_and_coming_soon({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const me = await call(page, "GET", "/api/me");
    assert(me.body.modules.includes("registration") && me.body.modules.includes("scheduling")
           && !me.body.modules.includes("eprescribing"), `registration and scheduling live (${me.body.modules})`);
    await page.locator("#nav-schedule").waitFor();
    assert(await page.locator("#nav-implementation").count() === 0, "no Implementation link");
    if (Array.isArray(me.body.coming)) {
      const note = page.locator("#coming");
      await note.waitFor();
      const t = await note.innerText();
      assert(t.startsWith("Coming soon:") && /E-prescribing[^;]* on 2027-03-29/.test(t), `e-prescribing is coming (${t})`);
    }
    // Registration: the patient's details can be edited from the chart.
    const pid = (await call(page, "POST", "/fhir/Patient", { resourceType: "Patient", active: true,
      name: [{ use: "official", family: "Stagely", given: ["Ada"] }], birthDate: "1980-01-02", gender: "female" })).body.id;
    await page.goto(`${base}/#/patients/${pid}`);
    await page.locator("#chart-title").waitFor();
    await page.getByRole("button", { name: /Edit details/ }).waitFor();
    assert(await page.getByRole("tab", { name: "Medications" }).count() === 0, "no medication list before its stage");
    await screenshot(page, "implementation-physician-coming-soon");
  },

  async roll_back_history_and_diff({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    const s1 = stage(page, "front-office");
    await s1.getByRole("button", { name: "Roll back: Front office" }).click();
    const dialog = page.locator("#rollback-dialog");
    await dialog.waitFor();
    assert((await dialog.innerText()).includes("every record stays readable"), "the dialog says nothing is lost");
    await dialog.getByLabel("Reason").fill("The front desk asked for another week");
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await dialog.waitFor({ state: "detached" });
    await s1.locator(".stage-state").filter({ hasText: "Rolled back on" }).waitFor();
    assert(await s1.getByRole("button", { name: "Go live: Front office" }).count() === 1, "it can go live again");

    const rows = page.locator("#history-table tbody tr");
    await rows.nth(2).waitFor();
    assert(await rows.count() === 3, "three versions");
    const history = await page.locator("#history-table").innerText();
    assert(history.includes("applied the template front-office-first") && history.includes("forced go-live")
           && history.includes("rollback of stage") && history.includes("lead.morgan"), `the versions (${history})`);
    await page.getByLabel("From version").selectOption("1");
    await page.getByLabel("To version").selectOption("2");
    await page.getByRole("button", { name: "Show changes" }).click();
    await page.locator("#diff-list li").first().waitFor();
    const diff = await page.locator("#plan-diff").innerText();
    assert(diff.includes("From version 1 to version 2") && /Front office/.test(diff), `the diff's sentences (${diff})`);
    await page.getByLabel("From version").selectOption("0");
    await page.getByLabel("To version").selectOption("1");
    await page.getByRole("button", { name: "Show changes" }).click();
    await page.locator("#diff-list li").filter({ hasText: "stage 'Billing' added" }).waitFor();
    await screenshot(page, "implementation-history");
  },

  async overrides_add_and_remove({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    await page.locator("#overrides-none").waitFor();
    await page.getByRole("button", { name: "Add override" }).click();
    await page.locator("#override-username-error").filter({ hasText: "Enter the username." }).waitFor();
    await page.locator("#override-reason-error").filter({ hasText: "Give the reason." }).waitFor();
    await page.getByLabel("Username").fill("nobody.here");
    await page.getByLabel("Reason").fill("Locum");
    await page.getByRole("button", { name: "Add override" }).click();
    await page.locator("#override-form-error").filter({ hasText: "nobody.here" }).waitFor();
    const form = page.locator("#override-form");
    await form.getByLabel("Username").fill("np.chen");
    await form.getByLabel("Chosen modules").check();
    await form.getByLabel("E-prescribing").check();
    await form.getByLabel("Medication list").check();
    await page.getByRole("button", { name: "Add override" }).click();
    const row = page.locator("#overrides-table tr[data-user='np.chen']");
    await row.waitFor();
    const t = await row.innerText();
    assert(t.includes("E-prescribing") && t.includes("Medication list") && t.includes("Locum"), `the override (${t})`);
    await page.locator("#live-table tr[data-user='np.chen'] td[data-module=eprescribing][data-why=override]").waitFor();
    assert((await page.locator("#live-table tr[data-user='np.chen'] td[data-module=eprescribing]").innerText()).includes("override"),
           "the table says the override");
    await row.getByRole("button", { name: "Remove the override of np.chen" }).click();
    await page.locator("#override-remove-confirm").getByRole("button", { name: "Remove" }).click();
    await page.locator("#overrides-none").waitFor();
  },

  async edit_target_date_and_conflict({ page, base }) {
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    await page.locator("#edit-plan summary").click();
    await page.getByLabel("Target date of Billing").fill("2027-05-10");
    await page.getByRole("button", { name: "Save the plan" }).click();
    await page.locator("#edit-plan-saved").filter({ hasText: "Saved as version 4" }).waitFor();
    assert((await stage(page, "billing").locator(".stage-date").innerText()) === "2027-05-10", "the new date shown");
    // A colleague saves after this screen read the plan: refused, nothing overwritten.
    await page.locator("#edit-plan summary").click();
    const current = await call(page, "GET", "/api/plan");
    // The colleague also renames a stage and comments with markup: shown as text, never run.
    const payload = `<img src=x onerror="window.__xss=1">`;
    const renamed = current.body.plan;
    renamed.stages[3].name = `Billing ${payload}`;
    const r = await call(page, "PUT", "/api/plan", { plan: renamed, version: current.body.version, comment: `a colleague ${payload}` });
    assert(r.status === 200, `the colleague's save (${r.status})`);
    await page.getByLabel("Target date of Billing").fill("2027-05-17");
    await page.getByRole("button", { name: "Save the plan" }).click();
    const conflict = page.locator("#edit-plan-conflict .conflict");
    await conflict.waitFor();
    await screenshot(page, "implementation-edit-conflict");
    await conflict.getByRole("button", { name: "Reload the plan" }).click();
    await page.locator("#plan-status").filter({ hasText: "Plan version 5" }).waitFor();
    assert((await stage(page, "billing").locator(".stage-date").innerText()) === "2027-05-10", "nothing overwritten");
    assert((await stage(page, "billing").locator("h3").innerText()).includes(payload), "the name shown as typed");
    assert((await page.locator("#plan-status").innerText()).includes(payload), "the comment shown as typed");
    assert(await page.evaluate(() => window.__xss === undefined), "no script ran");
    // A date before the stage before it: saved, and the plan check marks the error as blocking.
    await page.locator("#edit-plan summary").click();
    await page.locator("#edit-date-billing").fill("2027-01-11");
    await page.getByRole("button", { name: "Save the plan" }).click();
    await page.locator("#edit-plan-saved").filter({ hasText: "1 error" }).waitFor();
    const err = page.locator("#lint-errors li").first();
    await err.waitFor();
    const et = await err.innerText();
    assert(et.startsWith("Error — blocks go-live:") && et.includes("2027-01-11"), `the error (${et})`);
    assert((await page.locator("#lint-summary").innerText()).startsWith("1 error (blocking go-live)"), "counted as blocking");
    await screenshot(page, "implementation-lint-error");
  },

  async tablet_layout({ page, base }) {
    await page.setViewportSize({ width: 768, height: 1024 });
    await signInReady(page, base, "lead.morgan");
    await openImplementation(page);
    await stage(page, "front-office").locator(".gate-check").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!overflow, "nothing wider than the tablet's screen");
    await screenshot(page, "implementation-tablet");
  },
});
