// schedule.js - the day's schedule (GET /api/schedule): today by default,
// another day from the date picker, the user's own appointments or
// everyone's. Each appointment shows its time, patient (a link to the
// chart), visit type and status; "Check in" starts the visit
// (POST /api/appointments/{id}/check-in) and "Open visit" opens it.

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { clock, today, who, enc, visitTypeText } from "./fmt.js";

let shown = { date: null, all: false };   // the day and toggle shown, kept until sign-out

export function forgetSchedule() { shown = { date: null, all: false }; }

export function scheduleScreen(main, app) {
  const date = h("input", { type: "date", id: "schedule-date", value: shown.date || today() });
  const all = h("input", { type: "checkbox", id: "schedule-all", checked: shown.all });
  const status = h("p", { class: "status", role: "status", id: "schedule-status" });
  const error = h("p", { class: "form-error", role: "alert", id: "schedule-error" });
  const list = h("div", { id: "schedule-list" });

  async function load() {
    shown = { date: date.value || today(), all: all.checked };
    error.textContent = "";
    status.textContent = "Loading…";
    try {
      const r = await get(`/api/schedule?date=${enc(shown.date)}${shown.all ? "&all=true" : ""}`);
      const appts = r.appointments || [];
      status.textContent = appts.length ? `${appts.length} appointment${appts.length === 1 ? "" : "s"}.`
                                        : "No appointments this day.";
      show(list, appts.map((a) => row(a)));
    } catch (e) {
      status.textContent = "";
      show(list);
      error.textContent = e.message;
    }
  }

  function row(a) {
    const rowError = h("span", { class: "form-error", role: "alert" });
    const actions = h("span", { class: "buttons" });
    const statusText = h("span", { class: "appt-status" }, a.status || "");
    function openButton(encounter) {
      return h("a", { href: `#/visits/${enc(encounter)}`, class: "open-visit" }, "Open visit");
    }
    if (a.encounter) actions.append(openButton(a.encounter));
    else if (app.offers("checkIn") && ["booked", "pending", "arrived", "checked-in"].includes(a.status)) {
      const b = h("button", { type: "button", class: "check-in", "aria-label": `Check in ${a.patient ? a.patient.name : ""}`,
        onclick: async () => {
          b.disabled = true;
          rowError.textContent = "";
          try {
            const r = await post(`/api/appointments/${enc(a.id)}/check-in`, {});
            statusText.textContent = "arrived";
            const link = openButton(r.encounter);
            b.replaceWith(link);
            link.focus();
          } catch (e) {
            rowError.textContent = e.message;
            b.disabled = false;
          }
        } }, "Check in");
      actions.append(b);
    }
    const p = a.patient || {};
    return h("div", { class: "appt", "data-appointment": a.id },
      h("span", { class: "appt-time" }, `${clock(a.start)}${a.end ? `–${clock(a.end)}` : ""}`),
      h("div", {},
        h("div", {}, p.id ? h("a", { href: `#/patients/${enc(p.id)}`, class: "appt-patient" }, p.name || "(no name)") : "—",
          p.birthDate ? h("span", { class: "meta" }, ` · born ${p.birthDate}`) : null),
        h("div", { class: "meta" }, visitTypeText(a.visit_type), a.reason ? ` · ${a.reason}` : "",
          shown.all && a.clinician ? ` · ${who(a.clinician)}` : "", " · ", statusText)),
      h("div", { class: "appt-actions" }, actions, rowError));
  }

  date.addEventListener("change", load);
  all.addEventListener("change", load);
  show(main, h("section", { class: "card", "aria-labelledby": "schedule-title" },
    h("h1", { id: "schedule-title" }, "Schedule"),
    h("div", { class: "row-inline" },
      h("div", { class: "field" }, h("label", { for: "schedule-date" }, "Day"), date),
      h("div", { class: "field" }, h("label", { for: "schedule-all" }, all, " Everyone's appointments"))),
    status, error, list));
  load();
}
