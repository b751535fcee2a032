// problems.js - the chart's Problems tab (GET /api/patients/{id}/problems):
// active problems first, resolving one, the history of one problem (GET
// /api/problems/{id}/history), and adding a problem by ICD-10-CM code or
// as text. Also the Immunizations tab: the patient's immunizations, and
// recording one found by vaccine name or CVX code (GET /api/vaccines).

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, who, enc, errorSlot, statusSlot, selectField, today } from "./fmt.js";
import { combobox } from "./combobox.js";

export function problemsTab(app, pid) {
  const list = h("div", { id: "problems-list" }, h("p", { class: "status" }, "Loading…"));
  const error = errorSlot("problems-error");
  const canWrite = app.offers("writeProblems");

  async function load() {
    error.textContent = "";
    try {
      const r = await get(`/api/patients/${enc(pid)}/problems`);
      const ps = r.problems || [];
      show(list, ps.length ? h("ul", { class: "summary-list", id: "problems-items" }, ps.map(row)) : h("p", { class: "status" }, "No problems recorded."));
    } catch (e) {
      show(list);
      error.textContent = e.message;
    }
  }

  function row(p) {
    const rowError = h("span", { class: "form-error", role: "alert" });
    const historySlot = h("div", { class: "problem-history" });
    const historyButton = h("button", { type: "button", class: "secondary", "aria-expanded": "false",
      "aria-label": `History of ${p.display || p.code}`, onclick: async () => {
        if (historyButton.getAttribute("aria-expanded") === "true") {
          show(historySlot);
          historyButton.setAttribute("aria-expanded", "false");
          return;
        }
        try {
          const hi = await get(`/api/problems/${enc(p.id)}/history`);
          show(historySlot, h("ol", { class: "history" }, (hi.versions || []).map((v) =>
            h("li", {}, `version ${v.version}: ${v.status || ""} — ${when(v.at)}${v.by ? ` by ${who(v.by)}` : ""}`))));
          historyButton.setAttribute("aria-expanded", "true");
        } catch (e) {
          rowError.textContent = e.message;
        }
      } }, "History");
    const resolve = canWrite && p.status === "active" ? h("button", { type: "button", class: "secondary",
      "aria-label": `Resolve ${p.display || p.code}`, onclick: async () => {
        resolve.disabled = true;
        try {
          await post(`/api/patients/${enc(pid)}/problems/${enc(p.id)}/resolve`, {});
          await load();
        } catch (e) {
          rowError.textContent = e.message;
          resolve.disabled = false;
        }
      } }, "Resolve") : null;
    return h("li", { class: "problem", "data-problem": p.id },
      h("div", {}, h("span", { class: "problem-text" }, p.display || p.code || "—"),
        h("span", { class: "meta" }, ` ${p.code ? `(${p.code}) ` : ""}· ${p.status}${p.onset ? ` · since ${when(p.onset)}` : ""}`),
        historySlot, rowError),
      h("span", { class: "buttons" }, resolve, historyButton));
  }

  let form = null;
  if (canWrite) {
    let code = null;
    const picked = h("p", { class: "status", id: "problem-chosen", "aria-live": "polite" }, "No code chosen; the text below is used.");
    const search = combobox({ id: "problem-search", label: "Problem (ICD-10-CM code or words)",
      search: async (q) => ((await get(`/api/codes?system=icd10cm&q=${enc(q)}`)).codes || [])
        .map((c) => ({ label: `${c.code} ${c.display}`, value: c.code, data: c })),
      onPick: (it) => { code = it.data; picked.textContent = `Chosen: ${code.code} ${code.display}`; } });
    const text = field("Or describe the problem", { id: "problem-text", maxlength: 200 });
    const onset = field("Onset", { id: "problem-onset", type: "date" });
    const note = field("Note", { id: "problem-note", maxlength: 1000 });
    const formError = errorSlot("problem-error");
    const saved = statusSlot("problem-saved");
    const submit = h("button", { type: "submit" }, "Add problem");
    form = h("form", { class: "card", id: "problem-form", novalidate: true, "aria-labelledby": "problem-form-title",
      onsubmit: async (ev) => {
        ev.preventDefault();
        formError.textContent = saved.textContent = text.error.textContent = "";
        const b = {};
        if (code) { b.code = code.code; b.system = "icd10cm"; b.display = code.display; }
        else if (text.input.value.trim()) b.text = text.input.value.trim();
        else { text.error.textContent = "Choose a code or describe the problem."; return; }
        if (onset.input.value) b.onset = onset.input.value;
        if (note.input.value.trim()) b.note = note.input.value.trim();
        submit.disabled = true;
        try {
          await post(`/api/patients/${enc(pid)}/problems`, b);
          saved.textContent = "Added.";
          code = null;
          picked.textContent = "No code chosen; the text below is used.";
          for (const x of [text, onset, note]) x.input.value = "";
          await load();
        } catch (e) {
          formError.textContent = e.message;
        } finally {
          submit.disabled = false;
        }
      } },
      h("h2", { id: "problem-form-title" }, "Add a problem"),
      search.row, picked, h("div", { class: "form-grid" }, text.row, onset.row, note.row), formError, saved, submit);
  }
  load();
  return h("div", {},
    h("section", { class: "card", id: "problems", "aria-labelledby": "problems-title" },
      h("h2", { id: "problems-title" }, "Problem list"), list, error),
    form);
}

export function immunizationsTab(app, pid) {
  const list = h("div", { id: "immunizations-list" }, h("p", { class: "status" }, "Loading…"));
  const error = errorSlot("immunizations-error");

  async function load() {
    error.textContent = "";
    try {
      const r = await get(`/api/patients/${enc(pid)}/immunizations`);
      const xs = r.immunizations || [];
      show(list, xs.length ? h("table", { class: "data", id: "immunizations-table" },
        h("caption", { class: "sr-only" }, "Immunizations"),
        h("thead", {}, h("tr", {}, ["Vaccine", "Date", "Status", "Lot", "Given by"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, xs.map((i) => h("tr", {},
          h("td", {}, i.display || i.cvx, h("span", { class: "meta" }, i.cvx ? ` (CVX ${i.cvx})` : "")),
          h("td", {}, when(i.date)), h("td", {}, i.status || ""), h("td", { class: "imm-lot" }, i.lot || ""),
          h("td", {}, who(i.performer))))))
        : h("p", { class: "status" }, "No immunizations recorded."));
    } catch (e) {
      show(list);
      error.textContent = e.message;
    }
  }

  let form = null;
  if (app.offers("writeImmunizations")) {
    let vaccine = null;
    const picked = h("p", { class: "status", id: "vaccine-chosen", "aria-live": "polite" }, "No vaccine chosen.");
    const search = combobox({ id: "vaccine-search", label: "Vaccine (name or CVX code)",
      search: async (q) => ((await get(`/api/vaccines?q=${enc(q)}`)).vaccines || [])
        .map((v) => ({ label: v.display, detail: `CVX ${v.cvx}`, value: v.cvx, data: v })),
      onPick: (it) => { vaccine = it.data; picked.textContent = `Chosen: ${vaccine.display} (CVX ${vaccine.cvx})`; } });
    const date = field("Date given", { id: "imm-date", type: "date", value: today() });
    const status = selectField("Status", "imm-status", [["completed", "Given"], ["not-done", "Not given"]], "completed");
    const lot = field("Lot number", { id: "imm-lot", maxlength: 60 });
    const site = field("Site", { id: "imm-site", maxlength: 60 });
    const route = field("Route", { id: "imm-route", maxlength: 60 });
    const dose = field("Dose number", { id: "imm-dose", inputmode: "numeric", maxlength: 2 });
    const reason = field("Reason not given", { id: "imm-reason", maxlength: 200 });
    const note = field("Note", { id: "imm-note", maxlength: 1000 });
    const formError = errorSlot("imm-error");
    const saved = statusSlot("imm-saved");
    const submit = h("button", { type: "submit" }, "Record immunization");
    form = h("form", { class: "card", id: "immunization-form", novalidate: true, "aria-labelledby": "imm-form-title",
      onsubmit: async (ev) => {
        ev.preventDefault();
        formError.textContent = saved.textContent = "";
        if (!vaccine) { search.error.textContent = "Choose a vaccine."; return; }
        if (!date.input.value) { date.error.textContent = "Enter the date."; return; }
        const b = { cvx: vaccine.cvx, date: date.input.value, status: status.input.value };
        for (const [k, f] of [["lot", lot], ["site", site], ["route", route], ["reason_not_done", reason], ["note", note]])
          if (f.input.value.trim()) b[k] = f.input.value.trim();
        if (dose.input.value.trim()) b.dose_number = Number(dose.input.value.trim());
        submit.disabled = true;
        try {
          await post(`/api/patients/${enc(pid)}/immunizations`, b);
          saved.textContent = "Recorded.";
          vaccine = null;
          picked.textContent = "No vaccine chosen.";
          for (const x of [lot, site, route, dose, reason, note]) x.input.value = "";
          await load();
        } catch (e) {
          formError.textContent = e.message;
        } finally {
          submit.disabled = false;
        }
      } },
      h("h2", { id: "imm-form-title" }, "Record an immunization"),
      search.row, picked,
      h("div", { class: "form-grid" }, date.row, status.row, lot.row, site.row, route.row, dose.row, reason.row, note.row),
      formError, saved, submit);
  }
  load();
  return h("div", {},
    h("section", { class: "card", id: "immunizations", "aria-labelledby": "imm-title" },
      h("h2", { id: "imm-title" }, "Immunizations"), list, error),
    form);
}
