// app.js - the web app's entry: who is signed in, which screen shows, the
// header (with the inbox count), and signing out. Screens live in their
// own modules (signin.js, patients.js, chart.js, schedule.js, visit.js,
// inbox.js, result.js); each gets the main element and the app.

import { get, del, setCsrf, whenSignedOut, whenActive } from "./api.js";
import { h, show } from "./dom.js";
import { idleWatch } from "./idle.js";
import { signInScreen } from "./signin.js";
import { patientsScreen } from "./patients.js";
import { chartScreen } from "./chart.js";
import { scheduleScreen, forgetSchedule } from "./schedule.js";
import { visitScreen } from "./visit.js";
import { inboxScreen } from "./inbox.js";
import { resultScreen } from "./result.js";
import { offered } from "./modules.js";

const main = document.getElementById("main");
const top = document.getElementById("top");
const banner = document.getElementById("banner");

const app = {
  me: null,
  idle: null,

  // A message above the page: for what does not belong to one field.
  say(message, kind = "error") {
    banner.textContent = message;
    banner.className = `banner banner-${kind}`;
    banner.hidden = !message;
  },

  // Whether the permission table lets the user do this ("clinical:write");
  // the app offers only that, and the server checks every request anyway.
  can(tag) { return this.permissions.has(tag); },
  permissions: new Set(),
  modules: null,

  // Whether a feature of modules.js is offered: its module is live for
  // the user and the role may use it.
  offers(feature) { return offered(feature, this.modules, this.permissions); },

  async signedIn(me, idleSeconds, permissions, modules) {
    this.me = me;
    if (!permissions) ({ permissions, modules } = await get("/api/me"));
    this.permissions = new Set(permissions || []);
    this.modules = Array.isArray(modules) ? new Set(modules) : null;
    this.say("");
    this.header();
    if (this.idle) this.idle.stop();
    this.idle = idleWatch(idleSeconds, () => this.keepAlive(), () => this.signOut(
      "You were signed out after a period without activity. Sign in again to continue."));
    this.go(location.hash || "#/patients");
  },

  // Whatever the reason, everything shown is dropped.
  signedOut(message) {
    if (this.idle) this.idle.stop();
    this.idle = null;
    this.leaving();
    forgetSchedule();
    this.me = null;
    document.querySelectorAll(".modal-backdrop").forEach((m) => m.remove());
    this.permissions = new Set();
    this.modules = null;
    setCsrf(null);
    top.hidden = true;
    show(top);
    history.replaceState(null, "", "/");
    signInScreen(main, this, message);
  },

  async keepAlive() {
    const me = await get("/api/me");
    return me.session.idle_timeout_seconds;
  },

  async signOut(message = "You are signed out.") {
    try { await this.leaving(); } catch { /* a last autosave that failed is shown no more */ }
    try { await del("/api/session", { signedOutOk: true }); } catch { /* signed out anyway */ }
    this.signedOut(message);
  },

  header() {
    const roles = (this.me.roles || []).join(", ").replaceAll("_", " ");
    this.badge = h("span", { class: "badge", id: "inbox-count", hidden: true });
    this.badgeWords = h("span", { class: "sr-only", hidden: true }, " items waiting");
    show(top,
      h("span", { class: "brand" }, "Stagewise"),
      h("nav", { "aria-label": "Main" },
        this.offers("schedule") ? h("a", { href: "#/schedule", id: "nav-schedule" }, "Schedule") : null,
        h("a", { href: "#/patients", id: "nav-patients" }, "Patients"),
        h("a", { href: "#/inbox", id: "nav-inbox" }, "Inbox", this.badge, this.badgeWords)),
      h("span", { class: "who" }, `${this.me.display_name} (${roles})`),
      h("button", { type: "button", id: "sign-out", onclick: () => this.signOut() }, "Sign out"));
    top.hidden = false;
  },

  // The inbox count in the header: what waits for this user (results
  // only when the results module is offered).
  async refreshInbox() {
    if (!this.me || !this.badge) return;
    try {
      const r = await get("/api/inbox");
      const c = r.counts || {};
      const n = (this.offers("results") ? c.results || 0 : 0) + (c.notes || 0) + (c.messages || 0);
      this.badge.textContent = String(n);
      this.badge.hidden = this.badgeWords.hidden = n === 0;
      this.badgeWords.textContent = n === 1 ? " item waiting" : " items waiting";
    } catch {
      this.badge.hidden = this.badgeWords.hidden = true;    // the inbox screen says why
    }
  },

  go(hash) {
    if (location.hash !== hash) history.pushState(null, "", hash);
    this.route();
  },

  // A screen with timers (the note's autosave) sets this to stop them
  // when another screen replaces it or the user signs out.
  leave: null,
  leaving() {
    const fn = this.leave;
    this.leave = null;
    return fn ? fn() : undefined;
  },

  route() {
    this.leaving();
    if (!this.me) return;
    if (this.idle) this.idle.activity();
    const id = "([A-Za-z0-9.-]{1,64})";
    const at = (path) => new RegExp(`^#/${path}$`).exec(location.hash);
    let m;
    if ((m = at(`patients/${id}`))) chartScreen(main, this, m[1]);
    else if ((m = at(`visits/${id}`)) && this.offers("visit")) visitScreen(main, this, m[1]);
    else if ((m = at(`results/${id}`)) && this.offers("results")) resultScreen(main, this, m[1]);
    else if (at("schedule") && this.offers("schedule")) scheduleScreen(main, this);
    else if (at("inbox")) inboxScreen(main, this);
    else patientsScreen(main, this);
    this.refreshInbox();
    main.focus();
  },
};

whenSignedOut((message) => app.me && app.signedOut(message));
whenActive(() => app.me && app.idle && app.idle.activity());
window.addEventListener("popstate", () => app.route());

async function start() {
  try {
    const me = await get("/api/me", { signedOutOk: true });
    await app.signedIn(me.user, me.session.idle_timeout_seconds, me.permissions, me.modules);
  } catch {
    app.signedOut("");
  }
}
start();
