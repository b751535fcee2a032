// test_orders_inbox.mjs - orders, results and the inbox in a real
// browser: a physician orders an HbA1c from the chart's Orders tab (found
// in the catalog as you type); its result, above the range, is posted
// through the API; the inbox count in the header shows it and the inbox
// flags it in words; the result review shows the H flag in text; signing
// it off takes it out of the inbox. Messages: one written to a colleague
// arrives in her inbox and "Mark done" clears it.

import { run, signInReady, screenshot, assert, call, newPatient } from "./harness.mjs";

async function badge(page) {
  await page.waitForFunction(() => document.getElementById("inbox-count") !== null);
  const el = page.locator("#inbox-count");
  return (await el.isHidden()) ? 0 : Number(await el.innerText());
}

await run({
  async order_result_inbox_sign_off({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    const pid = await newPatient(page, "Ordersby", "Olga");
    await page.goto(`${base}/#/patients/${pid}`);
    await page.locator("#chart-title").waitFor();
    await page.getByRole("tab", { name: "Orders" }).click();
    await page.locator("#order-search").fill("a1c");
    await page.locator("#order-search-list [role=option]").first().waitFor();
    await page.locator("#order-search").press("ArrowDown");
    await page.locator("#order-search").press("Enter");
    await page.locator("#order-chosen").filter({ hasText: /A1c/i }).waitFor();
    await page.getByLabel("Priority").selectOption("urgent");
    await page.locator("#order-reason").fill("Diabetes follow-up");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.locator("#orders-table tbody tr").first().waitFor();
    assert(/urgent/.test(await page.locator("#orders-table").innerText()), "the order is listed with its priority");
    await screenshot(page, "orders-1-placed");

    const orders = await call(page, "GET", `/api/patients/${pid}/orders`);
    const order = orders.body.orders[0];
    const before = await badge(page);
    const posted = await call(page, "POST", "/api/results", {
      order: order.id, status: "final", conclusion: "Above target.",
      observations: [{ code: "4548-4", system: "http://loinc.org",
                       display: "Hemoglobin A1c/Hemoglobin.total in Blood", value: 8.1, unit: "%", low: 4, high: 5.6 }] });
    assert(posted.status === 201 && posted.body.abnormal === true, `the result went in, abnormal (${JSON.stringify(posted.body)})`);

    // The header count follows the inbox on the next screen.
    await page.locator("#nav-inbox").click();
    await page.locator("#inbox-title").waitFor();
    await page.waitForFunction((n) => Number(document.getElementById("inbox-count").textContent) > n, before);
    const item = page.locator("#inbox-results li").filter({ hasText: "Ordersby" });
    await item.waitFor();
    assert(/Abnormal|Critical/.test(await item.locator(".inbox-flag").innerText()), "flagged in words");
    await screenshot(page, "orders-2-inbox");

    await item.getByRole("link").click();
    await page.locator("#result-title").waitFor();
    const row = page.locator("#observations tbody tr").first();
    const text = await row.innerText();
    assert(text.includes("8.1") && text.includes("%") && text.includes("4–5.6"), `value, unit and range (${text})`);
    assert((await row.locator(".obs-flag").innerText()).includes("H — high"), "the flag is in words");
    await screenshot(page, "orders-3-result");
    await page.getByLabel("Comment (optional)").fill("Discussed; adjust metformin.");
    await page.getByRole("button", { name: "Sign off" }).click();
    await page.locator("#result-reviewed").filter({ hasText: "Signed off by Dr. Ana Rivera" }).waitFor();

    await page.locator("#nav-inbox").click();
    await page.locator("#inbox-title").waitFor();
    await page.locator("#inbox-results").filter({ hasText: /No results to review|./ }).waitFor();
    await page.waitForFunction(() => !document.querySelector("#inbox-results").textContent.includes("Ordersby"));
    const after = await call(page, "GET", `/api/patients/${pid}/orders`);
    assert(after.body.orders[0].result === posted.body.report, "the order links to its result");
    await screenshot(page, "orders-4-signed-off");
    await page.goto(`${base}/#/patients/${pid}`);
    await page.getByRole("tab", { name: "Orders" }).click();
    await page.locator("#orders-table .order-result").click();
    await page.locator("#result-reviewed").filter({ hasText: "Signed off" }).waitFor();
  },

  async a_message_to_a_colleague({ page, base }) {
    await signInReady(page, base, "dr.rivera");
    await page.locator("#nav-inbox").click();
    await page.locator("#compose-form").waitFor();
    await page.getByLabel("To (username)").fill("np.chen");
    await page.getByLabel("Subject").fill("Coverage Friday");
    await page.getByLabel("Message", { exact: true }).fill("Could you see my 3 pm?");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator("#msg-sent").filter({ hasText: "Sent to np.chen." }).waitFor();
    await page.getByLabel("To (username)").fill("nobody.here");
    await page.getByLabel("Message", { exact: true }).fill("Hello?");
    await page.getByRole("button", { name: "Send message" }).click();
    await page.locator("#msg-error").filter({ hasText: /./ }).waitFor();
    await page.locator("#sign-out").click();

    await signInReady(page, base, "np.chen");
    await page.waitForFunction(() => Number(document.getElementById("inbox-count").textContent) >= 1);
    await page.locator("#nav-inbox").click();
    const msg = page.locator("#inbox-messages li").filter({ hasText: "Coverage Friday" });
    await msg.waitFor();
    assert((await msg.innerText()).includes("Could you see my 3 pm?"), "the text is shown");
    await screenshot(page, "inbox-message");
    await msg.getByRole("button", { name: /Mark done/ }).click();
    await page.waitForFunction(() => !document.querySelector("#inbox-messages").textContent.includes("Coverage Friday"));
  },
});
