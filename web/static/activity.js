// activity.js - the web app's activity capture for the adoption metrics
// (docs/adoption-metrics.md "Activity"): how long the user actively works
// in each module, never what on. Keyboard, mouse, wheel, touch and scroll
// input keep the user active for 5 seconds (the published idle rule):
// each event adds the time since the previous one, 5 seconds at most.
// The time goes to the area (a module id, "inbox" or "other") and the
// screen (a fixed name, never an id) where the event happened, summed per
// quarter-hour, and is posted to /api/activity once a minute and when the
// page is hidden or closed (fetch with keepalive, so it survives the
// unload). Nothing is measured while signed out, nor in the training
// environment (/training/), where practice is not use of the EHR.
//
// app.js calls start() when someone signs in, stop() when they are signed
// out (what was not sent yet is dropped with the session), flush() just
// before signing out, and noteRoute(hash) for each screen it shows.

import { apiPath, inTraining } from "./env.js";

const IDLE_MS = 5000;
const SEND_EVERY_MS = 60000;
const QUARTER_MS = 15 * 60000;
const THROTTLE_MS = 250;   // mousemove, wheel and scroll fire dozens a second
const CSRF_KEY = "stagewise.csrf";   // as api.js keeps it
const INPUT = ["keydown", "mousedown", "touchstart"];
const CONTINUOUS = ["mousemove", "wheel", "scroll"];

// The chart's tabs and what module each belongs to (chart.js ids).
const CHART_TABS = {
  medications: "medications", problems: "problems", allergies: "allergies",
  immunizations: "immunizations", orders: "orders", visits: "documentation",
};

let running = false;
let route = { area: "other", screen: "home", chart: false };
let lastAt = 0;          // the previous event's time (ms), 0 before the first
let lastContinuous = 0;
let timer = 0;
// "area|screen|quarter" → { area, screen, from, to, active }
let buckets = new Map();

// The area and screen of a route of app.js's router.
export function areaOfRoute(hash) {
  const at = (re) => re.test(hash || "");
  if (at(/^#\/visits\//)) return { area: "documentation", screen: "visit" };
  if (at(/^#\/prescribe/)) return { area: "eprescribing", screen: "prescribe" };
  if (at(/^#\/results\//)) return { area: "results", screen: "result" };
  if (at(/^#\/inbox$/)) return { area: "inbox", screen: "inbox" };
  if (at(/^#\/schedule$/)) return { area: "scheduling", screen: "schedule" };
  if (at(/^#\/patients\/[^/]+$/)) return { area: "other", screen: "chart_summary", chart: true };
  if (at(/^#\/implementation/)) return { area: "other", screen: "implementation" };
  if (at(/^#\/interface/)) return { area: "other", screen: "interface" };
  if (at(/^#\/training/)) return { area: "other", screen: "training" };
  if (at(/^#\/adoption/)) return { area: "other", screen: "adoption" };
  return { area: "other", screen: "patients" };
}

export function noteRoute(hash) {
  route = areaOfRoute(hash);
}

// Where an event happened: the route's area, refined by the part of the
// screen it happened in (the prescribing form inside a visit, the chart's
// open tab, the vital signs on the chart's summary).
function placeOf(target) {
  const el = target && target.closest ? target : null;
  if (el && el.closest("#prescribe-form")) return { area: "eprescribing", screen: "prescribe" };
  if (!route.chart) return route;
  if (el && el.closest("#section-vitals")) return { area: "vitals", screen: "chart_vitals" };
  const tab = document.querySelector('.chart-tabs [role="tab"][aria-selected="true"]');
  const id = tab ? tab.id.replace(/^tab-/, "") : "summary";
  return CHART_TABS[id] ? { area: CHART_TABS[id], screen: `chart_${id}` } : route;
}

function credit(now) {
  const add = lastAt === 0 ? IDLE_MS : now <= lastAt ? 0 : Math.min(now - lastAt, IDLE_MS);
  if (now > lastAt) lastAt = now;
  return add;
}

function onInput(ev) {
  if (!running) return;
  const now = Date.now();
  if (CONTINUOUS.includes(ev.type)) {
    if (now - lastContinuous < THROTTLE_MS) return;
    lastContinuous = now;
  }
  const add = credit(now);
  if (add <= 0) return;
  const { area, screen } = placeOf(ev.target);
  const quarter = Math.floor(now / QUARTER_MS);
  const key = `${area}|${screen}|${quarter}`;
  let b = buckets.get(key);
  if (!b) buckets.set(key, (b = { area, screen, from: now, to: now, active: 0 }));
  // The event keeps the user active from now for `add`; a report spans at
  // most 15 minutes (the server's rule).
  b.to = Math.min(Math.max(b.to, now + add), b.from + QUARTER_MS);
  b.active = Math.min(b.active + add, b.to - b.from);
}

// Sends what was gathered since the last report.
export function flush() {
  if (!running || buckets.size === 0) return;
  const entries = [...buckets.values()].filter((b) => b.active > 0).map((b) => ({
    area: b.area, screen: b.screen,
    from: new Date(b.from).toISOString(), to: new Date(b.to).toISOString(),
    active_seconds: Math.round(b.active) / 1000,
  }));
  buckets = new Map();
  if (!entries.length) return;
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (csrf) headers["X-CSRF-Token"] = csrf;
  // Best effort: a report lost to a network failure is a minute of
  // activity, not worth retrying against a server that may be gone.
  fetch(apiPath("/api/activity"), {
    method: "POST", headers, credentials: "same-origin", cache: "no-store", keepalive: true,
    body: JSON.stringify({ entries }),
  }).catch(() => {});
}

function onHidden() {
  if (document.visibilityState === "hidden") flush();
}

export function start() {
  if (inTraining || running) return;
  running = true;
  lastAt = 0;
  buckets = new Map();
  for (const t of INPUT) window.addEventListener(t, onInput, { capture: true, passive: true });
  for (const t of CONTINUOUS) window.addEventListener(t, onInput, { capture: true, passive: true });
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", onHidden);
  timer = setInterval(flush, SEND_EVERY_MS);
}

export function stop() {
  if (!running) return;
  running = false;
  buckets = new Map();
  clearInterval(timer);
  for (const t of [...INPUT, ...CONTINUOUS]) window.removeEventListener(t, onInput, { capture: true });
  window.removeEventListener("pagehide", flush);
  document.removeEventListener("visibilitychange", onHidden);
}
