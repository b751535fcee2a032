// medications.js - the chart's Medications tab (GET
// /api/patients/{id}/medications): what the patient takes now, prescribed
// here or reported, and the history of stopped and completed ones; adding
// a medication the patient reports (POST …/medications) and stopping one
// with a reason (POST …/medications/{type}/{id}/stop). Prescribing sits
// under the list for users who may prescribe.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, who, enc, errorSlot, statusSlot } from "./fmt.js";
import { combobox } from "./combobox.js";
import { prescribePanel } from "./prescribe.js";

export function medicationsTab(app, pid) {
  const current = h("div", { id: "meds-current" }, h("p", { class: "status" }, "Loading…"));
  const history = h("div", { id: "meds-history" });
  const error = errorSlot("meds-error");
  const canWrite = app.offers("writeMedications");

  function table(rows, id, caption, stoppable) {
    if (!rows.length) return h("p", { class: "status" }, "None.");
    return h("table", { class: "data", id },
      h("caption", { class: "sr-only" }, caption),
      h("thead", {}, h("tr", {}, ["Medication", "Dose", "Status", "Since", "Prescriber", stoppable && canWrite ? "Stop" : null]
        .filter(Boolean).map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((m) => h("tr", { "data-medication": m.id },
        h("td", {}, m.name || "—", h("span", { class: "meta" }, m.type === "MedicationStatement" ? " (reported)" : " (prescribed)")),
        h("td", {}, [m.dose, m.route, m.frequency].filter(Boolean).join(", ")),
        h("td", {}, m.status || ""), h("td", {}, when(m.since)), h("td", {}, m.prescriber ? who(m.prescriber) : "—"),
        stoppable && canWrite ? h("td", {}, stopControl(m)) : null))));
  }

  function stopControl(m) {
    const slot = h("div", {});
    const open = h("button", { type: "button", class: "secondary", "aria-label": `Stop ${m.name}`, onclick: () => {
      const reason = field(`Reason for stopping ${m.name}`, { id: `stop-reason-${m.id}`, maxlength: 300 });
      const rowError = h("p", { class: "form-error", role: "alert" });
      const confirm = h("button", { type: "submit" }, "Stop medication");
      show(slot, h("form", { novalidate: true, class: "stop-form", onsubmit: async (ev) => {
        ev.preventDefault();
        if (!reason.input.value.trim()) { reason.error.textContent = "Give the reason."; return; }
        confirm.disabled = true;
        try {
          await post(`/api/patients/${enc(pid)}/medications/${enc(m.type)}/${enc(m.id)}/stop`, { reason: reason.input.value.trim() });
          await load();
        } catch (e) {
          rowError.textContent = e.message;
          confirm.disabled = false;
        }
      } }, reason.row, rowError, h("div", { class: "buttons" }, confirm,
        h("button", { type: "button", class: "secondary", onclick: () => { show(slot, open); open.focus(); } }, "Keep"))));
      reason.input.focus();
    } }, "Stop…");
    show(slot, open);
    return slot;
  }

  async function load() {
    error.textContent = "";
    try {
      const r = await get(`/api/patients/${enc(pid)}/medications`);
      show(current, table(r.medications || [], "meds-current-table", "Current medications", true));
      show(history, table(r.history || [], "meds-history-table", "Medication history", false));
    } catch (e) {
      show(current);
      error.textContent = e.message;
    }
  }

  let form = null;
  if (canWrite) {
    let drug = null;
    const picked = h("p", { class: "status", id: "med-chosen", "aria-live": "polite" }, "No drug chosen; the name typed below is used.");
    const search = combobox({ id: "med-drug-search", label: "Drug (search the drug list)",
      search: async (q) => ((await get(`/api/drugs?q=${enc(q)}`)).drugs || [])
        .map((d) => ({ label: d.name, detail: d.rxnorm, value: d.rxnorm, data: d })),
      onPick: (it) => { drug = it.data; picked.textContent = `Chosen: ${drug.name}`; dose.input.value = drug.dose || ""; } });
    const text = field("Or the name as the patient gives it", { id: "med-text", maxlength: 200 });
    const dose = field("Dose", { id: "med-dose", maxlength: 100 });
    const note = field("Note", { id: "med-note", maxlength: 500 });
    const formError = errorSlot("med-error");
    const saved = statusSlot("med-saved");
    const submit = h("button", { type: "submit" }, "Add reported medication");
    form = h("form", { class: "card", id: "med-form", novalidate: true, "aria-labelledby": "med-form-title",
      onsubmit: async (ev) => {
        ev.preventDefault();
        formError.textContent = saved.textContent = "";
        const b = {};
        if (drug) b.drug = drug.rxnorm;
        else if (text.input.value.trim()) b.text = text.input.value.trim();
        else { text.error.textContent = "Choose a drug or type its name."; return; }
        text.error.textContent = "";
        if (dose.input.value.trim()) b.dose = dose.input.value.trim();
        if (note.input.value.trim()) b.note = note.input.value.trim();
        submit.disabled = true;
        try {
          await post(`/api/patients/${enc(pid)}/medications`, b);
          saved.textContent = "Added.";
          drug = null;
          picked.textContent = "No drug chosen; the name typed below is used.";
          for (const x of [text, dose, note]) x.input.value = "";
          await load();
        } catch (e) {
          formError.textContent = e.message;
        } finally {
          submit.disabled = false;
        }
      } },
      h("h2", { id: "med-form-title" }, "Add a medication the patient takes"),
      search.row, picked, h("div", { class: "form-grid" }, text.row, dose.row, note.row), formError, saved, submit);
  }
  load();
  return h("div", {},
    h("section", { class: "card", id: "medications", "aria-labelledby": "meds-title" },
      h("h2", { id: "meds-title" }, "Current medications"), current, error,
      h("h3", {}, "History"), history),
    form,
    app.offers("prescribe") ? prescribePanel(app, pid, null, load) : null);
}
