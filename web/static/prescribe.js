// prescribe.js - writing a prescription, from a visit or the chart's
// Medications tab: find the drug as you type (GET /api/drugs), its usual
// dose, route and frequency filled in, then quantity, refills, days
// supply, pharmacy and instructions. Before sending, the server checks
// the drug against the patient's allergies, medications and duplicates
// (POST …/prescriptions/check); any alert opens a modal alert dialog, and
// a high one needs a reason to override. The send itself is checked again
// (409 "alerts"), answered the same way. Afterwards the sent prescription
// and the pharmacy message's status are shown.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, enc, errorSlot, textArea } from "./fmt.js";
import { combobox } from "./combobox.js";
import { openModal } from "./modal.js";

export function prescribePanel(app, pid, encounter, onSent) {
  let drug = null;
  const chosen = h("p", { id: "rx-drug", class: "status", "aria-live": "polite" }, "No drug chosen.");
  const search = combobox({ id: "rx-drug-search", label: "Drug (name or RxNorm code)",
    search: async (q) => ((await get(`/api/drugs?q=${enc(q)}`)).drugs || [])
      .map((d) => ({ label: d.name, detail: d.rxnorm, value: d.rxnorm, data: d })),
    onPick: (it) => {
      drug = it.data;
      chosen.textContent = `Chosen: ${drug.name} (RxNorm ${drug.rxnorm})`;
      f.dose.input.value = drug.dose || "";
      f.route.input.value = drug.route || "";
      f.frequency.input.value = drug.frequency || "";
      f.dose.input.focus();
    } });
  const f = {
    dose: field("Dose", { id: "rx-dose", maxlength: 100 }),
    route: field("Route", { id: "rx-route", maxlength: 60 }),
    frequency: field("Frequency", { id: "rx-frequency", maxlength: 100 }),
    quantity: field("Quantity", { id: "rx-quantity", inputmode: "numeric", maxlength: 5 }),
    refills: field("Refills", { id: "rx-refills", inputmode: "numeric", maxlength: 2, value: "0" }),
    days_supply: field("Days supply", { id: "rx-days", inputmode: "numeric", maxlength: 3 }),
    pharmacy: field("Pharmacy", { id: "rx-pharmacy", maxlength: 200 }),
  };
  const instructions = textArea("Instructions for the patient", { id: "rx-instructions", maxlength: 2000, rows: 2 });
  const error = errorSlot("rx-error");
  const sent = h("div", { id: "rx-sent", "aria-live": "polite" });
  const submit = h("button", { type: "submit", id: "rx-submit" }, "Check and send");

  function body() {
    for (const x of Object.values(f)) x.error.textContent = "";
    search.error.textContent = "";
    const b = { drug: drug ? drug.rxnorm : null };
    if (!drug) { search.error.textContent = "Choose a drug."; return null; }
    for (const k of ["dose", "route", "frequency", "pharmacy"]) {
      const t = f[k].input.value.trim();
      if (!t) { f[k].error.textContent = `Enter the ${k}.`; return null; }
      b[k] = t;
    }
    for (const k of ["quantity", "refills", "days_supply"]) {
      const t = f[k].input.value.trim();
      if (!t) { if (k === "quantity") { f[k].error.textContent = "Enter the quantity."; return null; } continue; }
      const n = Number(t);
      if (!Number.isInteger(n) || n < 0) { f[k].error.textContent = "Enter a whole number."; return null; }
      b[k] = n;
    }
    if (instructions.input.value.trim()) b.instructions = instructions.input.value.trim();
    if (encounter) b.encounter = encounter;
    return b;
  }

  async function send(b) {
    try {
      const r = await post(`/api/patients/${enc(pid)}/prescriptions`, b);
      await showSent(r, b);
      drug = null;
      chosen.textContent = "No drug chosen.";
      for (const x of Object.values(f)) x.input.value = "";
      f.refills.input.value = "0";
      instructions.input.value = "";
      if (onSent) onSent();
    } catch (e) {
      if (e.status === 409 && e.code === "alerts") {
        const alerts = (e.body && e.body.alerts) || [];
        alertDialog(alerts.length ? alerts : [{ severity: "high", kind: "alert", message: e.message }], b);
      } else error.textContent = e.message;
    }
  }

  async function showSent(r, b) {
    const status = h("span", { id: "rx-message-status" }, "checking…");
    show(sent, h("div", { class: "signed", role: "status" },
      h("p", {}, h("strong", {}, "Prescription sent: "), `${drug.name} — ${b.dose}, ${b.route}, ${b.frequency}; quantity ${b.quantity}, refills ${b.refills ?? 0}`),
      h("p", {}, `Pharmacy: ${b.pharmacy}. Message: `, status)));
    try {
      const m = await get(`/api/pharmacy/messages?patient=${enc(pid)}`);
      const msg = (m.messages || []).find((x) => x.id === r.message || x.prescription === r.prescription);
      status.textContent = msg ? `${msg.status}${msg.sent_at ? ` at ${when(msg.sent_at)}` : ""}` : "not found";
    } catch (e) {
      status.textContent = e.message;
    }
  }

  // The alerts, high ones first and marked in words as well as colour.
  function alertDialog(alerts, b) {
    const rank = { high: 0, moderate: 1, low: 2 };
    alerts = [...alerts].sort((x, y) => (rank[x.severity] ?? 3) - (rank[y.severity] ?? 3));
    const high = alerts.some((a) => a.severity === "high");
    const reason = high ? textArea("Reason for overriding (required)", { id: "rx-override-reason", maxlength: 500, rows: 3 }) : null;
    let m;
    const go = h("button", { type: "button", id: "rx-override", class: high ? "danger" : "", disabled: high,
      onclick: () => {
        const t = reason ? reason.input.value.trim() : "";
        if (high && !t) { reason.error.textContent = "Give the reason for overriding."; return; }
        m.close();
        send(t ? { ...b, override_reason: t } : b);
      } }, high ? "Override and send" : "Send anyway");
    if (reason) reason.input.addEventListener("input", () => { go.disabled = !reason.input.value.trim(); });
    const cancel = h("button", { type: "button", class: "secondary", id: "rx-cancel",
      onclick: () => { m.close(); error.textContent = "Not sent."; } }, "Cancel");
    m = openModal({ id: "rx-alerts", title: `${alerts.length} alert${alerts.length === 1 ? "" : "s"} for this prescription`,
      onCancel: () => { error.textContent = "Not sent."; },
      content: [
        h("ul", { class: "alert-list", id: "rx-alerts-list" }, alerts.map((a) => h("li", { class: `alert-${a.severity}` },
          h("span", { class: `sev sev-${a.severity}` }, `${(a.severity || "").toUpperCase()}`),
          h("span", { class: "alert-kind" }, `${a.kind || "alert"}: `),
          h("span", { class: "alert-message" }, a.message || ""),
          a.with && a.with.name ? h("span", { class: "meta" }, ` (${a.with.name})`) : null))),
        reason && reason.row,
        h("div", { class: "buttons" }, cancel, go)] });
    m.el.setAttribute("aria-describedby", "rx-alerts-list");
    cancel.focus();
  }

  const form = h("form", { class: "card", id: "prescribe-form", "aria-labelledby": "rx-title", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const b = body();
      if (!b) return;
      submit.disabled = true;
      try {
        const c = await post(`/api/patients/${enc(pid)}/prescriptions/check`, { drug: b.drug });
        if ((c.alerts || []).length) alertDialog(c.alerts, b);
        else await send(b);
      } catch (e) {
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    } },
    h("h2", { id: "rx-title" }, "Prescribe"),
    search.row, chosen,
    h("div", { class: "form-grid" }, Object.values(f).map((x) => x.row)),
    instructions.row, error, submit, sent);
  return form;
}
