// visits.js - the chart's Visits tab (GET /api/patients/{id}/visits):
// the patient's visits, newest first, with the note's state and a link to
// each, and starting a walk-in visit (POST /api/patients/{id}/visits).

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, who, enc, errorSlot, selectField, visitTypeText } from "./fmt.js";

const TYPES = [["follow-up", "Follow-up"], ["new-patient", "New patient"], ["acute", "Acute (sick) visit"],
               ["wellness", "Annual wellness"]];
const NOTE = { none: "no note", draft: "note in draft", signed: "note signed" };

export function visitsTab(app, pid) {
  const list = h("div", { id: "visits-list" }, h("p", { class: "status" }, "Loading…"));
  const error = errorSlot("visits-error");
  (async () => {
    try {
      const r = await get(`/api/patients/${enc(pid)}/visits`);
      const vs = r.visits || [];
      show(list, vs.length ? h("ul", { class: "summary-list" }, vs.map((v) => h("li", {},
        h("a", { href: `#/visits/${enc(v.id)}` }, `${when(v.start)} — ${visitTypeText(v.visit_type)}`),
        h("span", { class: "meta" }, `${v.status || ""} · ${NOTE[v.note_status] || v.note_status || ""} · ${who(v.clinician)}`))))
        : h("p", { class: "status" }, "No visits."));
    } catch (e) {
      show(list);
      error.textContent = e.message;
    }
  })();
  let form = null;
  if (app.offers("startVisit")) {
    const type = selectField("Visit type", "walkin-type", TYPES, "follow-up");
    const reason = field("Reason", { id: "walkin-reason", maxlength: 200 });
    const formError = errorSlot("walkin-error");
    const submit = h("button", { type: "submit" }, "Start a walk-in visit");
    form = h("form", { class: "card", id: "walkin-form", novalidate: true, "aria-labelledby": "walkin-title",
      onsubmit: async (ev) => {
        ev.preventDefault();
        formError.textContent = "";
        submit.disabled = true;
        try {
          const b = { visit_type: type.input.value };
          if (reason.input.value.trim()) b.reason = reason.input.value.trim();
          const r = await post(`/api/patients/${enc(pid)}/visits`, b);
          app.go(`#/visits/${enc(r.encounter)}`);
        } catch (e) {
          formError.textContent = e.message;
          submit.disabled = false;
        }
      } },
      h("h2", { id: "walkin-title" }, "Walk-in visit"), h("div", { class: "form-grid" }, type.row, reason.row), formError, submit);
  }
  return h("div", {}, h("section", { class: "card", id: "visits", "aria-labelledby": "visits-list-title" },
    h("h2", { id: "visits-list-title" }, "Visits"), list, error), form);
}
