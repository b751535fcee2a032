// app.js - the web app's entry: who is signed in, which screen shows, the
// header (with the inbox count), and signing out. Screens live in their
// own modules (signin.js, patients.js, chart.js, schedule.js, visit.js,
// inbox.js, result.js, implementation.js, interface.js, training.js,
// training_progress.js, adoption.js); each gets the
// main element and the app. Under the header, every user sees what is coming soon: the
// modules not live for them yet, with the date they go live (/api/me
// "coming"). The environment (production or training) comes from the
// page's address (env.js): its banner and switch are drawn here.

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
import { implementationScreen } from "./implementation.js";
import { interfaceScreen } from "./interface.js";
import { showEnvironment, showReadOnlyCopy, environmentSwitch, home } from "./env.js";
import { trainingScreen } from "./training.js";
import { trainingProgressScreen } from "./training_progress.js";
import { helpControls } from "./superusers.js";
import { adoptionScreen, isLead } from "./adoption.js";
import { inTraining } from "./env.js";
import * as activity from "./activity.js";

const main = document.getElementById("main");
const top = document.getElementById("top");
const banner = document.getElementById("banner");
const comingNote = document.getElementById("coming");

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

  async signedIn(me, idleSeconds, permissions, modules, coming) {
    this.me = me;
    if (!permissions) ({ permissions, modules, coming } = await get("/api/me"));
    this.permissions = new Set(permissions || []);
    this.modules = Array.isArray(modules) ? new Set(modules) : null;
    this.say("");
    this.header();
    this.showComing(coming);
    if (this.idle) this.idle.stop();
    this.idle = idleWatch(idleSeconds, () => this.keepAlive(), () => this.signOut(
      "You were signed out after a period without activity. Sign in again to continue."));
    activity.start();
    this.go(location.hash || "#/patients");
  },

  // Whatever the reason, everything shown is dropped.
  signedOut(message) {
    activity.stop();
    if (this.helpWatch) this.helpWatch.disconnect();
    this.helpWatch = null;
    if (this.idle) this.idle.stop();
    this.idle = null;
    this.leaving();
    forgetSchedule();
    this.me = null;
    document.querySelectorAll(".modal-backdrop").forEach((m) => m.remove());
    this.permissions = new Set();
    this.modules = null;
    this.showComing(null);
    setCsrf(null);
    top.hidden = true;
    show(top);
    history.replaceState(null, "", home);
    signInScreen(main, this, message);
  },

  // "Coming soon: E-prescribing and Orders on 2027-02-17; …": the modules
  // not live for the user yet, by the date they go live (those no stage
  // has scheduled for the user are left out).
  showComing(coming) {
    const byDate = new Map();
    for (const c of Array.isArray(coming) ? coming : []) {
      if (!c || !c.live_from) continue;
      if (!byDate.has(c.live_from)) byDate.set(c.live_from, []);
      byDate.get(c.live_from).push(c.title || c.module);
    }
    const and = (xs) => xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
    const parts = [...byDate.keys()].sort().map((d) => `${and(byDate.get(d))} on ${d}`);
    comingNote.textContent = parts.length ? `Coming soon: ${parts.join("; ")}.` : "";
    comingNote.hidden = !parts.length;
  },

  // After the plan changed (a stage went live or was rolled back), what
  // is live for this user may have changed too: the header and the
  // coming-soon note follow.
  async refreshMe() {
    const me = await get("/api/me");
    this.permissions = new Set(me.permissions || []);
    this.modules = Array.isArray(me.modules) ? new Set(me.modules) : null;
    this.header();
    this.showComing(me.coming);
    this.refreshInbox();
  },

  async keepAlive() {
    const me = await get("/api/me");
    return me.session.idle_timeout_seconds;
  },

  async signOut(message = "You are signed out.") {
    try { await this.leaving(); } catch { /* a last autosave that failed is shown no more */ }
    activity.flush();
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
        h("a", { href: "#/inbox", id: "nav-inbox" }, "Inbox", this.badge, this.badgeWords),
        this.offers("implementation") ? h("a", { href: "#/implementation", id: "nav-implementation" }, "Implementation") : null,
        this.offers("billingInterface") ? h("a", { href: "#/interface", id: "nav-interface" }, "Billing interface") : null,
        this.offers("training") ? h("a", { href: "#/training", id: "nav-training" }, "Training") : null,
        // Adoption is measured in production only; the lead lands on the dashboard.
        inTraining ? null : h("a", { href: isLead(this) ? "#/adoption" : "#/adoption/me", id: "nav-adoption" }, "Adoption")),
      environmentSwitch(),
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
      const n = (this.offers("results") ? c.results || 0 : 0) + (c.notes || 0) + (c.messages || 0) + (c.help || 0);
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

  // "Who can help?" and "Ask for help" beside the screen's heading
  // (superusers.js), drawn with each screen. Screens that load first draw
  // their heading later, and a chart redraws it: the watch, kept until the
  // next screen, puts the controls back beside it.
  helpTools() {
    if (this.helpWatch) this.helpWatch.disconnect();
    this.helpWatch = null;
    const tools = helpControls(this, location.hash);
    if (!tools) return;
    const place = () => {
      const heading = main.querySelector("h1");
      if (heading && !heading.parentNode.querySelector(":scope > #help-tools")) heading.after(tools);
    };
    place();
    this.helpWatch = new MutationObserver(place);
    this.helpWatch.observe(main, { childList: true, subtree: true });
  },
  helpWatch: null,

  route() {
    this.leaving();
    if (!this.me) return;
    activity.noteRoute(location.hash);
    if (this.idle) this.idle.activity();
    const id = "([A-Za-z0-9.-]{1,64})";
    const at = (path) => new RegExp(`^#/${path}$`).exec(location.hash);
    let m;
    if ((m = at(`patients/${id}`))) chartScreen(main, this, m[1]);
    else if ((m = at(`visits/${id}`)) && this.offers("visit")) visitScreen(main, this, m[1]);
    else if ((m = at(`results/${id}`)) && this.offers("results")) resultScreen(main, this, m[1]);
    else if (at("schedule") && this.offers("schedule")) scheduleScreen(main, this);
    else if (at("inbox")) inboxScreen(main, this);
    else if (at("implementation") && this.offers("implementation")) implementationScreen(main, this);
    else if (at("interface") && this.offers("billingInterface")) interfaceScreen(main, this);
    else if (at("training") && this.offers("training")) trainingScreen(main, this);
    else if (at("training-progress") && this.offers("trainingProgress")) trainingProgressScreen(main, this);
    else if (at("adoption") && !inTraining) adoptionScreen(main, this, "dashboard");
    else if (at("adoption/me") && !inTraining) adoptionScreen(main, this, "me");
    else if (at("adoption/targets") && !inTraining) adoptionScreen(main, this, "targets");
    else if ((m = at("adoption/users/([A-Za-z0-9._@-]{1,64})")) && !inTraining) adoptionScreen(main, this, "user", m[1]);
    else patientsScreen(main, this);
    this.refreshInbox();
    this.helpTools();
    main.focus();
  },
};

whenSignedOut((message) => app.me && app.signedOut(message));
whenActive(() => app.me && app.idle && app.idle.activity());
window.addEventListener("popstate", () => app.route());

async function start() {
  try {
    const me = await get("/api/me", { signedOutOk: true });
    await app.signedIn(me.user, me.session.idle_timeout_seconds, me.permissions, me.modules, me.coming);
  } catch {
    app.signedOut("");
  }
}
showEnvironment();
showReadOnlyCopy();
start();
