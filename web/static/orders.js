// orders.js - ordering labs and imaging, from a visit or the chart: find
// the test in the practice's catalog as you type (GET /api/order-catalog),
// priority, reason and note, then POST /api/patients/{id}/orders. The
// patient's orders are listed with their status and, once resulted, a
// link to the result review.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, who, enc, errorSlot, statusSlot, selectField, textArea } from "./fmt.js";
import { combobox } from "./combobox.js";

export function ordersPanel(app, pid, encounter) {
  const list = h("div", { id: "orders-list" }, h("p", { class: "status" }, "Loading orders…"));
  const listError = errorSlot("orders-list-error");

  async function load() {
    listError.textContent = "";
    try {
      const r = await get(`/api/patients/${enc(pid)}/orders`);
      const orders = r.orders || [];
      show(list, orders.length ? h("table", { class: "data", id: "orders-table" },
        h("caption", { class: "sr-only" }, "Orders"),
        h("thead", {}, h("tr", {}, ["Test", "Priority", "Status", "Ordered", "By", "Result"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, orders.map((o) => h("tr", { "data-order": o.id },
          h("td", {}, o.display || o.code, h("span", { class: "meta" }, ` ${o.category || ""}`)),
          h("td", {}, o.priority || ""), h("td", { class: "order-status" }, o.status || ""),
          h("td", {}, when(o.authored)), h("td", {}, who(o.requester)),
          h("td", {}, o.result && app.offers("results")
            ? h("a", { href: `#/results/${enc(o.result)}`, class: "order-result" }, "View result")
            : o.result ? "Resulted" : "—")))))
        : h("p", { class: "status" }, "No orders."));
    } catch (e) {
      show(list);
      listError.textContent = e.message;
    }
  }

  let form = null;
  if (app.offers("placeOrder")) {
    let chosen = null;
    const picked = h("p", { class: "status", id: "order-chosen", "aria-live": "polite" }, "No test chosen.");
    const search = combobox({ id: "order-search", label: "Test or study (name or code)",
      search: async (q) => ((await get(`/api/order-catalog?q=${enc(q)}`)).orders || [])
        .map((o) => ({ label: o.display, detail: `${o.code} · ${o.category}`, value: o.code, data: o })),
      onPick: (it) => { chosen = it.data; picked.textContent = `Chosen: ${chosen.display} (${chosen.code}, ${chosen.category})`; priority.input.focus(); } });
    const priority = selectField("Priority", "order-priority", [["routine", "Routine"], ["urgent", "Urgent"], ["stat", "STAT"]], "routine");
    const reason = field("Reason", { id: "order-reason", maxlength: 500 });
    const note = textArea("Note for the lab or imaging", { id: "order-note", maxlength: 2000, rows: 2 });
    const error = errorSlot("order-error");
    const done = statusSlot("order-saved");
    const submit = h("button", { type: "submit" }, "Place order");
    form = h("form", { id: "order-form", novalidate: true, "aria-labelledby": "order-form-title",
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = done.textContent = "";
        if (!chosen) { search.error.textContent = "Choose a test from the catalog."; return; }
        const b = { code: chosen.code, category: chosen.category, priority: priority.input.value };
        if (reason.input.value.trim()) b.reason = reason.input.value.trim();
        if (note.input.value.trim()) b.note = note.input.value.trim();
        if (encounter) b.encounter = encounter;
        submit.disabled = true;
        try {
          await post(`/api/patients/${enc(pid)}/orders`, b);
          done.textContent = `Ordered: ${chosen.display}.`;
          chosen = null;
          picked.textContent = "No test chosen.";
          reason.input.value = note.input.value = "";
          priority.input.value = "routine";
          await load();
        } catch (e) {
          error.textContent = e.message;
        } finally {
          submit.disabled = false;
        }
      } },
      h("h3", { id: "order-form-title" }, "New order"),
      search.row, picked, h("div", { class: "form-grid" }, priority.row, reason.row), note.row, error, done, submit);
  }
  load();
  return h("section", { class: "card", id: "orders", "aria-labelledby": "orders-title" },
    h("h2", { id: "orders-title" }, "Orders"), list, listError, form);
}
