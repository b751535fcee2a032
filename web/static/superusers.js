// superusers.js - "who can help me with this": beside every screen's
// heading, a "Who can help?" disclosure listing the super-users of the
// modules that screen belongs to (GET /api/superusers), and "Ask for
// help", a small dialog that sends POST /api/help {module, screen, text}
// so each super-user of the module finds the request in their inbox.
// The request carries the screen's id, never the patient on it: the text
// is optional and the dialog says not to put patient details in it.

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { openModal } from "./modal.js";
import { who } from "./fmt.js";

// Which modules each screen (the first part of its #/ route) is about;
// the chart holds the tabs of several.
const SCREEN_MODULES = {
  patients: ["registration"],
  chart: ["registration", "problems", "allergies", "medications", "eprescribing", "orders", "results",
          "immunizations", "vitals", "documentation"],
  visits: ["documentation", "vitals", "charge_capture"],
  results: ["results"],
  schedule: ["scheduling"],
  inbox: ["results", "documentation"],
  training: [],
};

// The screen's id from the address: "#/patients/abc" is "chart".
export function screenOf(hash) {
  const parts = (hash || "").replace(/^#\//, "").split("/").filter(Boolean);
  if (!parts.length) return "patients";
  if (parts[0] === "patients" && parts.length > 1) return "chart";
  return parts[0];
}

// The directory, read once per page (a change shows after a reload; the
// roster changes rarely and the disclosure reads it again when opened).
let directory = null;
async function readDirectory() {
  const r = await get("/api/superusers");
  directory = Array.isArray(r && r.modules) ? r.modules : [];
  return directory;
}

// The control for the current screen, or null when the screen is about
// no module (Implementation, Billing interface, Training).
export function helpControls(app, hash) {
  const screen = screenOf(hash);
  const modules = SCREEN_MODULES[screen];
  if (!modules || !modules.length) return null;
  const list = h("div", { class: "helpers-list", id: "helpers-list", "aria-live": "polite" }, "Loading…");
  const details = h("details", { class: "helpers", id: "who-can-help" },
    h("summary", {}, "Who can help?"), list);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    try {
      await readDirectory();
      if (!details.isConnected) return;
      show(list, directoryList(modules));
    } catch (e) {
      show(list, h("p", { class: "form-error", role: "alert" }, e.message));
    }
  });
  const ask = h("button", { type: "button", class: "secondary", id: "ask-for-help",
    onclick: () => askDialog(app, screen, modules) }, "Ask for help");
  const tools = h("div", { class: "help-tools", id: "help-tools", "data-screen": screen }, details, ask);
  return tools;
}

function directoryList(modules) {
  const rows = modules.map((id) => (directory || []).find((m) => m.module === id) || { module: id, title: id, super_users: [] })
    .filter((m) => (m.super_users || []).length);
  if (!rows.length) return h("p", { id: "helpers-none" }, "No super-users are named for this screen yet: the implementation lead names them.");
  return h("ul", {},
    rows.map((m) => h("li", { "data-module": m.module },
      h("strong", {}, `${m.title || m.module}: `),
      m.super_users.map((u, i) => [i ? ", " : "", h("span", { class: "helper", "data-user": u.username },
        u.name ? `${u.name} (${u.username})` : u.username)]))));
}

function askDialog(app, screen, modules) {
  let m;
  const titles = new Map((directory || []).map((d) => [d.module, d.title]));
  const pick = h("select", { id: "help-module" },
    modules.map((id) => h("option", { value: id }, titles.get(id) || id)));
  const text = h("textarea", { id: "help-text", rows: 3, maxlength: 1000, "aria-describedby": "help-warning" });
  const error = h("p", { class: "form-error", role: "alert", id: "help-error" });
  const send = h("button", { type: "button", id: "help-send", onclick: submit }, "Send");
  const cancel = h("button", { type: "button", class: "secondary", onclick: () => m.close() }, "Cancel");
  async function submit() {
    error.textContent = "";
    send.disabled = true;
    try {
      const body = { module: pick.value, screen };
      if (text.value.trim()) body.text = text.value.trim();
      const r = await post("/api/help", body);
      m.close();
      const n = (r && r.recipients) || 0;
      app.say(n ? `Your request for help was sent to ${n === 1 ? "the module's super-user" : `the module's ${n} super-users`}.`
        : "Your request for help was recorded, but no super-user is named for this module yet.", n ? "ok" : "error");
    } catch (e) {
      error.textContent = e.message;
      send.disabled = false;
    }
  }
  m = openModal({ id: "help-dialog", title: "Ask for help", role: "dialog", content: [
    h("div", { class: "field" }, h("label", { for: "help-module" }, "With"), pick),
    h("div", { class: "field" }, h("label", { for: "help-text" }, "What do you need? (optional)"), text),
    h("p", { id: "help-warning", class: "note" }, "Do not include patient details: the super-user sees the screen you are on, and can come over."),
    error, h("div", { class: "buttons" }, send, cancel)] });
  // Open the directory's titles if it has not been read yet.
  if (!directory) readDirectory().then(() => {
    for (const o of pick.options) o.textContent = (directory.find((d) => d.module === o.value) || {}).title || o.value;
  }).catch(() => {});
}

// The help requests of the signed-in user (GET /api/help): the ones they
// sent, and, for a super-user, the ones sent to them, each answered with
// one button once they have helped (POST /api/help/{id}/answer).
export function helpRequestsCard() {
  const card = h("section", { class: "card", id: "help-requests", "aria-labelledby": "help-requests-title" });
  const title = h("h2", { id: "help-requests-title" }, "Help requests");
  async function load() {
    let list;
    try {
      const r = await get("/api/help");
      list = Array.isArray(r && r.requests) ? r.requests : [];
    } catch (e) {
      if (card.isConnected) show(card, title, h("p", { class: "form-error", role: "alert" }, e.message));
      return;
    }
    const line = (q) => {
      const from = who(q.from);
      const err = h("span", { class: "form-error", role: "alert" });
      return h("li", { "data-request": q.id, class: q.answered_at ? "help-answered" : "" },
        h("strong", {}, q.title || q.module), ` · screen ${q.screen}`,
        q.mine ? "" : ` · from ${from}`,
        q.text ? [" · “", q.text, "”"] : "",
        q.answered_at ? ` · answered by ${who(q.answered_by)}` : "",
        !q.mine && !q.answered_at ? [" ", h("button", { type: "button", class: "secondary",
          "aria-label": `Mark the request from ${from} answered`,
          onclick: async (ev) => {
            const b = ev.currentTarget;
            b.disabled = true;
            try { await post(`/api/help/${encodeURIComponent(q.id)}/answer`, {}); load(); }
            catch (e) { err.textContent = e.message; b.disabled = false; }
          } }, "Answered"), err] : "");
    };
    const sent = list.filter((q) => q.mine), received = list.filter((q) => !q.mine);
    show(card, title,
      received.length ? [h("h3", {}, "Sent to me"), h("ul", { id: "help-received" }, received.map(line))] : null,
      h("h3", {}, "Sent by me"),
      sent.length ? h("ul", { id: "help-sent" }, sent.map(line)) : h("p", {}, "You have not asked for help yet."));
  }
  show(card, title, h("p", { class: "status" }, "Loading…"));
  load();
  return card;
}
