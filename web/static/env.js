// env.js - which environment this page is in, from its address alone: the
// same app is served at / (production) and at /training/ (the training
// environment, whose store holds practice patients only; docs/training.md).
// Every API and FHIR call follows the page (api.js asks apiPath), so a
// trainee can never write to production from the training page by accident.
// In training an unmistakable banner stays on every screen; in production
// the header offers "Practise in training". A downtime copy (`stagewise
// serve --read-only`, docs/operations.md) says so on GET /api/environment
// and gets its own banner on every screen; its server refuses every change.

import { h } from "./dom.js";

export const TRAINING_PREFIX = "/training";

export const inTraining = location.pathname === TRAINING_PREFIX
  || location.pathname.startsWith(`${TRAINING_PREFIX}/`);

// The page's root ("/" or "/training/").
export const home = inTraining ? `${TRAINING_PREFIX}/` : "/";

// "/api/me" → "/training/api/me" in training; other paths stay as they are.
export function apiPath(path) {
  if (!inTraining) return path;
  return /^\/(api|fhir)(\/|$|\?)/.test(path) ? TRAINING_PREFIX + path : path;
}

// The banner (training only): fixed at the top, high contrast, announced
// once as a status, with the way out. Drawn at start whatever the screen,
// signed in or not, so nothing in training ever looks like production.
export function showEnvironment() {
  if (!inTraining) return;
  document.body.classList.add("env-training");
  document.title = "TRAINING — Stagewise";
  if (document.getElementById("env-banner")) return;
  const banner = h("div", { id: "env-banner", class: "env-banner", role: "status" },
    h("strong", {}, "TRAINING — practice patients only; nothing here is real"),
    " ",
    h("a", { href: "/", id: "leave-training" }, "Leave training"));
  document.body.prepend(banner);
}

// The header's switch: to training from production, back from training.
export function environmentSwitch() {
  return inTraining
    ? h("a", { href: "/", id: "env-switch", class: "env-switch" }, "Leave training")
    : h("a", { href: `${TRAINING_PREFIX}/`, id: "env-switch", class: "env-switch" }, "Practise in training");
}

// The downtime copy's banner: when the server is a read-only copy, a banner
// on every screen says from when, and that changes go on the paper forms.
// Write buttons stay; the server refuses them with the same sentence.
export async function showReadOnlyCopy() {
  let env;
  try {
    const res = await fetch(apiPath("/api/environment"), { credentials: "same-origin" });
    if (!res.ok) return;
    env = await res.json();
  } catch {
    return;
  }
  if (!env || env.read_only !== true) return;
  document.body.classList.add("env-read-only");
  document.title = "READ-ONLY COPY — Stagewise";
  if (document.getElementById("readonly-banner")) return;
  const when = env.copy_from ? new Date(env.copy_from).toLocaleString() : "an unknown time";
  const banner = h("div", { id: "readonly-banner", class: "env-banner env-readonly", role: "status" },
    h("strong", {}, `Read-only copy from ${when}`),
    " — changes are not possible; use the paper downtime forms.");
  document.body.prepend(banner);
}
