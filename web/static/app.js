// app.js - the web app's entry: who is signed in, which screen shows, the
// header, and signing out. Screens live in their own modules (signin.js,
// patients.js, chart.js); each gets the main element and the app.

import { get, del, setCsrf, whenSignedOut } from "./api.js";
import { h, show } from "./dom.js";
import { idleWatch } from "./idle.js";
import { signInScreen } from "./signin.js";
import { patientsScreen } from "./patients.js";
import { chartScreen } from "./chart.js";

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

  async signedIn(me, idleSeconds, permissions) {
    this.me = me;
    if (!permissions) permissions = (await get("/api/me")).permissions;
    this.permissions = new Set(permissions || []);
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
    this.me = null;
    this.permissions = new Set();
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
    try { await del("/api/session", { signedOutOk: true }); } catch { /* signed out anyway */ }
    this.signedOut(message);
  },

  header() {
    const roles = (this.me.roles || []).join(", ").replaceAll("_", " ");
    show(top,
      h("span", { class: "brand" }, "Stagewise"),
      h("nav", { "aria-label": "Main" }, h("a", { href: "#/patients" }, "Patients")),
      h("span", { class: "who" }, `${this.me.display_name} (${roles})`),
      h("button", { type: "button", id: "sign-out", onclick: () => this.signOut() }, "Sign out"));
    top.hidden = false;
  },

  go(hash) {
    if (location.hash !== hash) history.pushState(null, "", hash);
    this.route();
  },

  route() {
    if (!this.me) return;
    if (this.idle) this.idle.activity();
    const m = /^#\/patients\/([A-Za-z0-9.-]{1,64})$/.exec(location.hash);
    if (m) chartScreen(main, this, m[1]);
    else patientsScreen(main, this);
    main.focus();
  },
};

whenSignedOut((message) => app.me && app.signedOut(message));
window.addEventListener("popstate", () => app.route());

async function start() {
  try {
    const me = await get("/api/me", { signedOutOk: true });
    await app.signedIn(me.user, me.session.idle_timeout_seconds, me.permissions);
  } catch {
    app.signedOut("");
  }
}
start();
