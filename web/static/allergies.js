// allergies.js - the chart's Allergies tab (GET /api/patients/{id}/allergies):
// the current allergies with criticality, reaction and severity, and the
// history of the entries taken off the list with their status and reason.
// "Remove…" on a current entry opens a small form (what is true now, and
// why) that sends POST …/allergies/{aid}/status with the version read;
// after a change the list reloads and the chart's allergy banner with it
// (onChanged). Recording an allergy stays on the Summary tab (chart.js).

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { when, who, enc, errorSlot, textArea } from "./fmt.js";

// What an entry can become, in plain words (docs/workflows.md).
const CHANGES = [
  ["resolved", "No longer has it (resolved)"],
  ["refuted", "Not an allergy after all (refuted)"],
  ["entered-in-error", "Recorded by mistake (entered in error)"],
  ["inactive", "Inactive"],
];
const STATUS_TEXT = {
  active: "Active", inactive: "Inactive", resolved: "Resolved",
  refuted: "Refuted", "entered-in-error": "Entered in error",
};

function substanceText(a) {
  if (a.no_known_allergies) return "No known allergies";
  const s = a.substance || {};
  return s.display || s.text || s.code || "—";
}

function reactionText(a) {
  if (!a.reaction) return "—";
  return a.severity ? `${a.reaction} (${a.severity})` : a.reaction;
}

export function allergiesTab(app, pid, onChanged) {
  const current = h("div", { id: "allergies-current" }, h("p", { class: "status" }, "Loading…"));
  const history = h("div", { id: "allergies-history" });
  const error = errorSlot("allergies-error");
  const canWrite = app.offers("writeAllergies");

  function currentTable(rows) {
    if (!rows.length) return h("p", { class: "status" }, "No current allergies.");
    return h("table", { class: "data", id: "allergies-current-table" },
      h("caption", { class: "sr-only" }, "Current allergies"),
      h("thead", {}, h("tr", {}, ["Substance", "Criticality", "Reaction (severity)", "Recorded", canWrite ? "Remove" : null]
        .filter(Boolean).map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((a) => h("tr", { "data-allergy": a.id },
        h("td", {}, h("strong", {}, substanceText(a)), a.category ? h("span", { class: "meta" }, ` (${a.category})`) : null),
        h("td", {}, a.criticality || "—"),
        h("td", {}, reactionText(a)),
        h("td", {}, when(a.recorded), a.recorder ? h("span", { class: "meta" }, ` by ${who(a.recorder)}`) : null),
        canWrite ? h("td", {}, removeControl(a)) : null))));
  }

  function historyTable(rows) {
    if (!rows.length) return h("p", { class: "status" }, "None.");
    return h("table", { class: "data", id: "allergies-history-table" },
      h("caption", { class: "sr-only" }, "Allergy history"),
      h("thead", {}, h("tr", {}, ["Substance", "Status", "Reason", "Recorded"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((a) => h("tr", { "data-allergy": a.id },
        h("td", {}, substanceText(a)),
        h("td", { class: "allergy-status" }, STATUS_TEXT[a.status] || a.status || "—"),
        h("td", { class: "allergy-reason" }, a.reason || "—"),
        h("td", {}, when(a.recorded), a.recorder ? h("span", { class: "meta" }, ` by ${who(a.recorder)}`) : null)))));
  }

  // The Remove… button, and in its place the form once opened.
  function removeControl(a) {
    const name = substanceText(a);
    const slot = h("div", {});
    const open = h("button", { type: "button", class: "secondary", "aria-label": `Remove ${name}`,
      onclick: () => openForm() }, "Remove…");

    function openForm() {
      const group = `allergy-change-${a.id}`;
      const radios = CHANGES.map(([value, label], i) => {
        const id = `${group}-${value}`;
        const input = h("input", { type: "radio", name: group, id, value, "aria-describedby": `${group}-error` });
        return { input, row: h("div", { class: "choice" }, input, h("label", { for: id }, label)), first: i === 0 };
      });
      const choiceError = h("p", { class: "field-error", id: `${group}-error`, "aria-live": "polite" });
      const reason = textArea("Reason", { id: `allergy-reason-${a.id}`, maxlength: 500, rows: 2 });
      const formError = h("p", { class: "form-error", role: "alert" });
      const confirm = h("button", { type: "submit" }, "Remove from list");
      const cancel = h("button", { type: "button", class: "secondary", onclick: () => close() }, "Cancel");
      const close = () => { show(slot, open); open.focus(); };
      const form = h("form", { novalidate: true, class: "remove-allergy", "aria-label": `Remove ${name} from the list`,
        onkeydown: (ev) => { if (ev.key === "Escape") { ev.preventDefault(); close(); } },
        onsubmit: async (ev) => {
          ev.preventDefault();
          choiceError.textContent = reason.error.textContent = formError.textContent = "";
          const picked = radios.find((r) => r.input.checked);
          const why = reason.input.value.trim();
          if (!picked) choiceError.textContent = "Choose what is true now.";
          if (!why) reason.error.textContent = "Give the reason.";
          if (!picked) { radios[0].input.focus(); return; }
          if (!why) { reason.input.focus(); return; }
          confirm.disabled = true;
          try {
            await post(`/api/patients/${enc(pid)}/allergies/${enc(a.id)}/status`,
                       { status: picked.input.value, reason: why, version: a.version });
            await load();
            onChanged();
          } catch (e) {
            formError.textContent = e.message;
            confirm.disabled = false;
          }
        } },
        h("fieldset", { class: "choices" }, h("legend", {}, `What is true now about ${name}?`),
          radios.map((r) => r.row), choiceError),
        reason.row, formError, h("div", { class: "buttons" }, confirm, cancel));
      show(slot, form);
      radios[0].input.focus();
    }

    show(slot, open);
    return slot;
  }

  async function load() {
    error.textContent = "";
    try {
      const r = await get(`/api/patients/${enc(pid)}/allergies`);
      show(current, currentTable(r.allergies || []));
      show(history, historyTable(r.history || []));
    } catch (e) {
      show(current);
      show(history);
      error.textContent = e.message;
    }
  }

  load();
  return h("section", { class: "card", id: "allergies", "aria-labelledby": "allergies-title" },
    h("h2", { id: "allergies-title" }, "Allergies"), current, error,
    h("h3", {}, "History"), history);
}
