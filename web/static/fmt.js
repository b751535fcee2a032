// fmt.js - how dates, times and people read on screen, and the shared
// bits of small forms (an error slot that names the server's sentence).

import { h } from "./dom.js";

const pad = (n) => String(n).padStart(2, "0");

// "09:41" in the browser's time zone.
export function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// "2026-11-25 09:41" (a date alone stays a date).
export function when(iso) {
  if (!iso) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(iso)}`;
}

export function today() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// A user reference {username, display}.
export function who(u) {
  if (!u) return "—";
  return u.display || u.username || "—";
}

export function errorSlot(id) {
  return h("p", { class: "form-error", role: "alert", id });
}

export function statusSlot(id) {
  return h("p", { class: "form-info", role: "status", id });
}

// A labelled textarea with an error slot, like dom.js field().
export function textArea(label, attrs) {
  const id = attrs.id;
  const input = h("textarea", { ...attrs, "aria-describedby": `${id}-error` });
  const error = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  return { row: h("div", { class: "field" }, h("label", { for: id }, label), input, error), input, error };
}

// A labelled select from [[value, text], …].
export function selectField(label, id, options, value) {
  const input = h("select", { id, name: id }, options.map(([v, t]) => h("option", { value: v, selected: v === value }, t)));
  return { row: h("div", { class: "field" }, h("label", { for: id }, label), input), input };
}

export const enc = encodeURIComponent;

// Visit type codes (src/clinical/visit.c) as people say them.
const VISIT_TYPES = { "new-patient": "New patient visit", "follow-up": "Follow-up visit",
                      acute: "Acute (sick) visit", wellness: "Annual wellness / preventive visit" };
export function visitTypeText(code) { return VISIT_TYPES[code] || code || "—"; }
