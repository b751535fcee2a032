// interface.js - the Billing interface screen (#/interface), for whoever
// reads billing (billers, physicians): is the interface with the
// practice-management system (PMS) carrying every charge?
//
//   - the queue: messages waiting, rejected by the PMS, invalid (failed
//     our checks before sending) and acknowledged, and where they go
//     (GET /api/interface/status);
//   - the alerts: charges unacknowledged too long, the PMS unreachable,
//     no PMS set up (from the reconciliation report, which computes them);
//   - the work queue: each rejected or invalid message with its reason,
//     patient and charges, and "Resend" once it is fixed
//     (POST /api/interface/outbox/{seq}/resend; the new status is shown
//     in the row and the counts are read again);
//   - the reconciliation of a chosen day (UTC, today by default): visits
//     signed ↔ charges ↔ queued ↔ acknowledged, totals, each discrepancy
//     in a sentence, and the visits with their charges
//     (GET /api/interface/reconcile, docs/hl7-interface.md).
//
// Everything is built with dom.js (text only, never markup from data).

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { when, enc, errorSlot } from "./fmt.js";

const pad = (n) => String(n).padStart(2, "0");

// The report's days are UTC days.
function utcToday() {
  const d = new Date();
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const QUEUE = [
  ["pending", "Waiting to be sent or acknowledged"],
  ["rejected", "Rejected by the PMS"],
  ["invalid", "Invalid (not sent)"],
  ["acked", "Acknowledged"],
];

const TOTALS = [
  ["visits", "Visits signed"],
  ["charges", "Charges created"],
  ["queued", "Charges queued"],
  ["acked", "Acknowledged"],
  ["pending", "Pending"],
  ["rejected", "Rejected"],
  ["invalid", "Invalid"],
  ["not_queued", "Never queued"],
];

const KINDS = {
  no_charges: "No charges",
  not_queued: "Never queued",
  pending: "Not acknowledged yet",
  rejected: "Rejected by the PMS",
  invalid: "Invalid",
  queued_twice: "Queued twice",
  acked_twice: "Acknowledged twice",
};

const STATUS = { pending: "pending", acked: "acknowledged", rejected: "rejected",
                 invalid: "invalid", resent: "resent" };

let shownDate = null;   // the day chosen, kept while the app runs

export function interfaceScreen(main, app) {
  const queueBody = h("div", { id: "interface-queue-body" }, h("p", { class: "status" }, "Loading the queue…"));
  const queueError = errorSlot("interface-queue-error");
  const alerts = h("div", { id: "interface-alerts" });
  const work = h("div", { id: "interface-work-body" });
  const date = h("input", { type: "date", id: "reconcile-date", value: shownDate || utcToday(),
                            "aria-describedby": "reconcile-date-hint" });
  const recStatus = h("p", { class: "status", role: "status", id: "reconcile-status" });
  const recError = errorSlot("reconcile-error");
  const recBody = h("div", { id: "reconcile-body" });
  const root = h("div", { class: "billing-interface", id: "billing-interface" },
    h("h1", { id: "interface-title" }, "Billing interface"),
    h("section", { class: "card", "aria-labelledby": "interface-queue-title" },
      h("h2", { id: "interface-queue-title" }, "Queue to the practice-management system"),
      queueError, queueBody, alerts),
    h("section", { class: "card", "aria-labelledby": "interface-work-title" },
      h("h2", { id: "interface-work-title" }, "Work queue"), work),
    h("section", { class: "card", "aria-labelledby": "reconcile-title" },
      h("h2", { id: "reconcile-title" }, "Reconciliation"),
      h("div", { class: "field" }, h("label", { for: "reconcile-date" }, "Day"), date,
        h("p", { class: "meta", id: "reconcile-date-hint" },
          "Days are counted in UTC: a visit belongs to the day its note was signed.")),
      recStatus, recError, recBody));
  show(main, root);
  const alive = () => root.isConnected;

  // ---- The queue and the work queue -------------------------------------------

  async function loadStatus() {
    queueError.textContent = "";
    try {
      const s = await get("/api/interface/status");
      if (!alive()) return;
      drawQueue(s);
      drawWork(s.work_queue || []);
    } catch (e) {
      if (!alive()) return;
      show(queueBody);
      show(work);
      queueError.textContent = e.message;
    }
  }

  function peerText(peer) {
    if (!peer) return "No practice-management system is set up to receive charges.";
    if (typeof peer === "string") return `Charges go to ${peer}.`;
    const to = peer.send_to || (peer.send_host ? `${peer.send_host}:${peer.send_port}` : "");
    return to ? `Charges go to ${to}${peer.processing_id === "T" ? " (test mode)" : ""}.`
              : "The practice-management system has no address to send charges to.";
  }

  function drawQueue(s) {
    const q = s.queue || {};
    show(queueBody,
      h("p", { id: "interface-peer" }, peerText(s.peer)),
      h("dl", { class: "queue-counts", id: "queue-counts" },
        QUEUE.map(([key, label]) => h("div", { class: `queue-count queue-${key}`, "data-count": key },
          h("dt", {}, label), h("dd", {}, String(q[key] ?? 0))))),
      q.oldest_pending_at ? h("p", { class: "meta" }, `Oldest waiting since ${when(q.oldest_pending_at)}.`) : null);
  }

  function drawWork(rows) {
    if (!rows.length) {
      show(work, h("p", { class: "status", id: "work-empty" }, "Nothing waits for a biller."));
      return;
    }
    show(work, h("div", { class: "table-scroll" }, h("table", { class: "data", id: "work-table" },
      h("caption", { class: "sr-only" }, "Messages rejected by the PMS or not sent, with the reason"),
      h("thead", {}, h("tr", {},
        ["Message", "Patient", "Charges", "Reason", "Status", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map(workRow)))));
  }

  function workRow(r) {
    const statusCell = h("td", { class: "work-status" }, STATUS[r.status] || r.status || "",
      r.attempts ? h("span", { class: "meta" }, ` · ${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`) : null);
    const rowError = h("span", { class: "form-error", role: "alert" });
    const patient = r.patient || {};
    let action = null;
    if (app.offers("resendCharge") && (r.status === "rejected" || r.status === "invalid")) {
      const b = h("button", { type: "button", class: "resend",
        "aria-label": `Resend message ${r.control_id || r.seq}`,
        onclick: async () => {
          b.disabled = true;
          rowError.textContent = "";
          try {
            const answer = await post(`/api/interface/outbox/${enc(r.seq)}/resend`, {});
            const now = (answer && (answer.status || (answer.row && answer.row.status))) || "pending";
            const seq = answer && (answer.seq || (answer.row && answer.row.seq));
            show(statusCell, `resent${seq ? ` as message ${seq}` : ""}: ${STATUS[now] || now}`);
            statusCell.setAttribute("data-status", now);
            b.remove();
            statusCell.setAttribute("tabindex", "-1");
            statusCell.focus();
            loadStatusCountsOnly();
            loadReconciliation();
          } catch (e) {
            rowError.textContent = e.message;
            b.disabled = false;
          }
        } }, "Resend");
      action = b;
    }
    const charges = Array.isArray(r.charge_ids) ? r.charge_ids.join(", ") : (r.charge_ids || "");
    return h("tr", { "data-seq": r.seq },
      h("td", {}, r.control_id || String(r.seq), h("div", { class: "meta" }, when(r.created_at))),
      h("td", {}, patient.id ? h("a", { href: `#/patients/${enc(patient.id)}` }, patient.name || patient.id) : "—"),
      h("td", {}, charges || "—"),
      h("td", { class: "work-reason" }, r.reason || "—"),
      statusCell,
      h("td", {}, action, rowError));
  }

  // After a resend: the counts change, the rows stay as shown (with the
  // new status) so the biller sees what happened.
  async function loadStatusCountsOnly() {
    try {
      const s = await get("/api/interface/status");
      if (alive()) drawQueue(s);
    } catch (e) {
      if (alive()) queueError.textContent = e.message;
    }
  }

  // ---- Reconciliation -------------------------------------------------------

  async function loadReconciliation() {
    shownDate = date.value || utcToday();
    recError.textContent = "";
    recStatus.textContent = "Loading the reconciliation…";
    try {
      const r = await get(`/api/interface/reconcile?date=${enc(shownDate)}`);
      if (!alive()) return;
      drawAlerts(r.alerts || []);
      drawReconciliation(r);
    } catch (e) {
      if (!alive()) return;
      recStatus.textContent = "";
      show(recBody);
      recError.textContent = e.message;
    }
  }

  function drawAlerts(list) {
    if (!list.length) {
      show(alerts, h("p", { class: "status", id: "alerts-none" }, "No alerts."));
      return;
    }
    show(alerts, h("h3", { id: "alerts-title" }, "Alerts"),
      h("ul", { class: "alert-list interface-alerts", "aria-labelledby": "alerts-title" },
        list.map((a) => h("li", { class: "alert-high", "data-alert": a.kind }, a.text))));
  }

  function drawReconciliation(r) {
    const t = r.totals || {};
    const n = t.discrepancies || 0;
    recStatus.textContent = n ? `${n} discrepanc${n === 1 ? "y" : "ies"} on ${r.from}.`
                              : `Every signed visit of ${r.from} is accounted for.`;
    const byEncounter = new Map((r.visits || []).map((v) => [v.encounter_id, v]));
    show(recBody,
      h("div", { class: "table-scroll" }, h("table", { class: "data reconcile-totals", id: "reconcile-totals" },
        h("caption", {}, `Totals for ${r.from}`),
        h("thead", {}, h("tr", {}, TOTALS.map(([, label]) => h("th", { scope: "col" }, label)))),
        h("tbody", {}, h("tr", {}, TOTALS.map(([key]) => h("td", { "data-total": key }, String(t[key] ?? 0))))))),
      h("h3", { id: "discrepancies-title" }, "Discrepancies"),
      (r.discrepancies || []).length
        ? h("ul", { class: "discrepancies", id: "discrepancies", "aria-labelledby": "discrepancies-title" },
            r.discrepancies.map((d) => {
              const v = byEncounter.get(d.encounter_id);
              const p = v && v.patient;
              return h("li", { "data-kind": d.kind },
                h("span", { class: "discrepancy-kind" }, KINDS[d.kind] || d.kind), " ",
                p ? h("span", { class: "meta" }, `${p.name || p.id}: `) : null,
                d.text);
            }))
        : h("p", { class: "status", id: "discrepancies-none" }, "None."),
      h("h3", { id: "visits-title" }, "Signed visits"),
      (r.visits || []).length ? visitsTable(r.visits) : h("p", { class: "status" }, "No visit was signed this day."));
  }

  function visitsTable(visits) {
    return h("div", { class: "table-scroll" }, h("table", { class: "data", id: "reconcile-visits" },
      h("caption", { class: "sr-only" }, "Each visit signed, its charges and what the PMS did with them"),
      h("thead", {}, h("tr", {}, ["Patient", "Signed", "Charges"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, visits.map((v) => h("tr", { "data-encounter": v.encounter_id || "" },
        h("td", {}, v.patient && v.patient.id
          ? h("a", { href: `#/patients/${enc(v.patient.id)}` }, v.patient.name || v.patient.id) : "—"),
        h("td", {}, when(v.signed_at), h("div", { class: "meta" },
          v.signed_by ? v.signed_by.display || v.signed_by.username : "")),
        h("td", {}, (v.charges || []).length
          ? h("ul", { class: "charge-states" }, v.charges.map((c) => h("li", { "data-charge": c.id },
              `${c.code || "—"}: `, h("span", { class: `charge-${c.outbox ? c.outbox.status : "none"}` },
                c.outbox ? STATUS[c.outbox.status] || c.outbox.status : "never queued"))))
          : h("span", { class: "charge-none" }, "no charges")))))));
  }

  date.addEventListener("change", loadReconciliation);
  loadStatus();
  loadReconciliation();
}
