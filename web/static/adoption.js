// adoption.js - the adoption screens (docs/web.md "Adoption"): "My
// adoption" (#/adoption/me, everyone), a colleague's scorecard
// (#/adoption/users/{username}, for super-users and the implementation
// lead; anyone else reads the server's refusal), the practice dashboard
// (#/adoption, adoption_dashboard.js) and the lead's targets and settings
// (#/adoption/targets, adoption_targets.js). A scorecard is GET
// /api/adoption/me or /users/{username}: each live module's level, every
// benchmark against its floor and goal, the core features used, the
// productivity curve against the user's own baseline (clinicians), and the
// findings with their recommended refresher. Levels and standings are
// written out in words beside their colour.

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { enc } from "./fmt.js";
import { benchmarkBar, clinicianChart, withUnit, STANDING } from "./adoption_charts.js";
import { dashboardView } from "./adoption_dashboard.js";
import { targetsView } from "./adoption_targets.js";

export const LEVEL_WORDS = { not_live: "Not live", learning: "Learning", adopted: "Adopted", proficient: "Proficient" };
export const levelBadge = (level, flagged) => h("span", { class: `level level-${level}${flagged ? " level-flagged" : ""}` },
  LEVEL_WORDS[level] || level || "—", flagged ? " · flagged" : "");

// Whether the permission table alone makes the user the lead (or an admin),
// who sees the dashboard and everyone's scorecards.
export const isLead = (app) => app.can("plan:read") || app.can("users:admin");

// The modules this user is a super-user of (GET /api/superusers), read once
// per screen: super-users see the dashboard and assign their modules'
// refreshers.
async function superUserModules(app) {
  try {
    const r = await get("/api/superusers");
    const me = app.me && app.me.username;
    return new Set(((r && r.modules) || []).filter((m) => (m.super_users || []).some((u) => u.username === me)).map((m) => m.module));
  } catch {
    return new Set();
  }
}

// #/adoption…: view is "dashboard", "me", "user" (with username) or "targets".
export function adoptionScreen(main, app, view, username) {
  const nav = h("nav", { class: "adoption-nav", "aria-label": "Adoption" });
  const body = h("div", { id: "adoption-body" }, h("p", { class: "status", role: "status" }, "Loading…"));
  const title = { dashboard: "Practice adoption", me: "My adoption", user: `Adoption of ${username}`, targets: "Adoption targets and settings" }[view];
  const root = h("div", { class: "adoption", id: "adoption" }, h("h1", { id: "adoption-title" }, title), nav, body);
  show(main, root);
  const ctx = { app, alive: () => root.isConnected, superOf: new Set(), lead: isLead(app), heading: root.firstChild };

  (async () => {
    ctx.superOf = await superUserModules(app);
    if (!ctx.alive()) return;
    const seesDashboard = ctx.lead || ctx.superOf.size > 0;
    const here = location.hash;
    const link = (href, text, id) => h("a", { href, id, "aria-current": here === href ? "page" : null }, text);
    // Only one place to go: no row of links.
    if (seesDashboard || app.can("plan:write")) show(nav, link("#/adoption/me", "My adoption", "adoption-nav-me"),
      seesDashboard ? link("#/adoption", "Practice dashboard", "adoption-nav-dashboard") : null,
      app.can("plan:write") ? link("#/adoption/targets", "Targets and settings", "adoption-nav-targets") : null);
    if (view === "dashboard") dashboardView(body, ctx);
    else if (view === "targets") targetsView(body, ctx);
    else scorecardView(body, ctx, view === "me" ? null : username);
  })();
}

// A scorecard: mine (username null) or a colleague's.
export async function scorecardView(body, ctx, username) {
  let r;
  try {
    r = await get(username ? `/api/adoption/users/${enc(username)}` : "/api/adoption/me");
  } catch (e) {
    if (!ctx.alive()) return;
    show(body, h("p", { class: "form-error", role: "alert", id: "adoption-error" },
      e.status === 403 ? `You may not see this scorecard: ${e.message}` : e.message),
      username ? h("p", {}, h("a", { href: "#/adoption/me" }, "Back to my adoption")) : null);
    return;
  }
  if (!ctx.alive()) return;
  const user = (r.report && r.report.user) || {};
  if (username && user.display_name) ctx.heading.textContent = `Adoption of ${user.display_name}`;
  show(body, scorecard(r, ctx, !username));
}

function scorecard(r, ctx, mine) {
  const rep = r.report || {};
  const user = rep.user || {};
  // Non-clinicians' curves have no weeks (productivity.h).
  const clinician = Boolean(r.productivity && (r.productivity.weeks || []).length);
  return h("div", { class: "scorecard", id: "scorecard", "data-user": user.username },
    h("p", { class: "status", id: "scorecard-summary" },
      `${user.display_name || user.username || ""} — as of ${rep.as_of || "today"}: `,
      `${withUnit(rep.scheduled_hours_30d, "h")} scheduled and ${withUnit(rep.active_hours_30d, "h")} active in the EHR in 30 days`,
      typeof rep.visits_signed_30d === "number" ? `, ${rep.visits_signed_30d} visits signed` : "", "."),
    modulesCard(rep),
    benchmarksCard(rep, mine),
    featuresCard(rep),
    clinician ? h("section", { class: "card", id: "my-productivity", "aria-labelledby": "my-productivity-title" },
      h("h2", { id: "my-productivity-title" }, "Productivity against the baseline"),
      h("p", {}, "Completed visits per scheduled session, as a percent of the 8 weeks before the first stage went live. ",
        "Expected: at least 75% in weeks 1–2, 90% by week 4, 100% by month 3."),
      clinicianChart("my-productivity-chart", mine ? "My visits per session" : `${user.display_name || user.username}'s visits per session`, r.productivity))
      : null,
    findingsCard(Array.isArray(r.findings) ? r.findings : (r.findings && r.findings.findings) || [], ctx,
      { id: "my-findings", title: mine ? "What to practise next" : "Findings", showUser: false }));
}

function modulesCard(rep) {
  const mods = Array.isArray(rep.modules) ? rep.modules : [];
  return h("section", { class: "card", id: "adoption-modules", "aria-labelledby": "adoption-modules-title" },
    h("h2", { id: "adoption-modules-title" }, "Modules"),
    mods.length ? h("ul", { class: "module-levels" }, mods.map((m) => h("li", { "data-module": m.module },
      h("strong", {}, m.title || m.module), ": ", levelBadge(m.level, m.flagged),
      m.live && m.live_since ? ` — live since ${m.live_since}` : "",
      m.settling ? h("span", { class: "settling" }, " (settling in: nobody is flagged in the first weeks after go-live)") : "",
      m.core_total ? ` — ${m.core_used} of ${m.core_total} core features used 3+ times in 30 days` : "")))
      : h("p", {}, "No module is measured yet."));
}

function benchmarksCard(rep, mine) {
  const list = Array.isArray(rep.benchmarks) ? rep.benchmarks : [];
  const titles = new Map((rep.modules || []).map((m) => [m.module, m.title || m.module]));
  return h("section", { class: "card", id: "adoption-benchmarks", "aria-labelledby": "adoption-benchmarks-title" },
    h("h2", { id: "adoption-benchmarks-title" }, "Benchmarks"),
    list.length ? h("div", { class: "table-scroll" }, h("table", { class: "data bench-table" },
      h("caption", {}, `${mine ? "My" : "Their"} benchmarks against the practice's floors and goals (solid mark: floor; dashed mark: goal)`),
      h("thead", {}, h("tr", {}, ["Benchmark", "Module", "Value", "Against floor and goal", "Standing"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, list.map((b) => h("tr", { "data-benchmark": b.id, class: `standing-${b.standing}` },
        h("th", { scope: "row" }, b.label || b.id),
        h("td", {}, b.module ? titles.get(b.module) || b.module : "All"),
        h("td", {}, b.value === null || b.value === undefined ? `No value: ${b.why_none || "nothing to measure yet"}` : withUnit(b.value, b.unit)),
        h("td", {}, benchmarkBar(b), h("span", { class: "bench-targets" },
          ` floor ${withUnit(b.floor, b.unit)}, goal ${withUnit(b.goal, b.unit)}${b.lower_is_better ? " (lower is better)" : ""}`)),
        h("td", { class: "standing" }, STANDING[b.standing] || b.standing || "—"))))))
      : h("p", {}, "No benchmark applies yet."));
}

function featuresCard(rep) {
  const list = Array.isArray(rep.features) ? rep.features : [];
  return h("section", { class: "card", id: "adoption-features", "aria-labelledby": "adoption-features-title" },
    h("h2", { id: "adoption-features-title" }, "Core features used in 30 days"),
    list.length ? h("ul", { class: "feature-list" }, list.map((f) => {
      const used = (f.uses_30d || 0) >= 3;
      return h("li", { class: used ? "feature-used" : "feature-unused", "data-feature": f.feature },
        h("span", { class: "feature-mark", "aria-hidden": "true" }, used ? "✓" : "○"),
        h("span", { class: "sr-only" }, used ? "Used: " : "Not used enough: "),
        f.label || f.feature, ` — ${f.uses_30d || 0} time${f.uses_30d === 1 ? "" : "s"} in 30 days`,
        f.last_used ? `, last on ${f.last_used}` : ", not used yet");
    })) : h("p", {}, "No core features for your role in the live modules."));
}

// Findings with their recommendation and course; "Assign refresher" for
// whoever may (plan:write, or a super-user of the finding's module).
function byUser(list, key) {
  const m = new Map();
  for (const x of list) {
    if (!m.has(key(x))) m.set(key(x), []);
    m.get(key(x)).push(x);
  }
  return m;
}

// showUser: the practice's findings, grouped by person (a <details> each,
// named from people: username → display name).
export function findingsCard(findings, ctx, { id, title, showUser, people = new Map(), titles = new Map() }) {
  const error = h("p", { class: "form-error", role: "alert", id: `${id}-error` });
  const mayAssign = (f) => ctx.app.can("plan:write") || ctx.superOf.has(f.module);
  const userName = (f) => typeof f.user === "object" && f.user ? f.user.username : f.user;
  function item(f) {
    const rec = f.recommendation || {};
    const actions = h("span", { class: "finding-actions" });
    const li = h("li", { class: `finding finding-${f.state}`, "data-finding": f.id },
      h("strong", {}, f.explanation || f.subject),
      h("br"), "Recommended: ", rec.text || "a refresher",
      rec.course ? [" — ", h("a", { href: "#/training", class: "course-link", "data-course": rec.course }, "open the course in Training")] : null,
      h("br"), h("span", { class: "meta" }, `Found ${f.found || "—"}`,
        f.assignment ? ` · assigned (training assignment ${f.assignment})` : "",
        f.remeasure_on ? ` · re-measured on ${f.remeasure_on}` : "",
        f.state && f.state !== "open" ? ` · ${String(f.state).replaceAll("_", " ")}` : ""),
      actions);
    if (!f.assignment && f.state === "open" && mayAssign(f)) {
      const b = h("button", { type: "button", class: "secondary assign-refresher" }, "Assign refresher");
      b.addEventListener("click", async () => {
        b.disabled = true;
        error.textContent = "";
        try {
          const r = await post(`/api/adoption/findings/${enc(f.id)}/assign`);
          f.assignment = r && r.assignment;
          li.replaceWith(item(f));
        } catch (e) {
          error.textContent = e.message;
          b.disabled = false;
        }
      });
      actions.append(" ", b);
    }
    return li;
  }
  return h("section", { class: "card", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title), error,
    !findings.length ? h("p", {}, "No findings: nothing to retrain.")
      : !showUser ? h("ul", { class: "finding-list" }, findings.map(item))
        : [...byUser(findings, userName)].map(([u, list]) => h("details", { class: "finding-group", "data-user": u },
          h("summary", {}, h("strong", {}, people.get(u) || u), `: ${list.length} finding${list.length === 1 ? "" : "s"} in `,
            [...new Set(list.map((f) => titles.get(f.module) || f.module))].join(", ")),
          h("p", {}, h("a", { href: `#/adoption/users/${enc(u)}` }, "Scorecard")),
          h("ul", { class: "finding-list" }, list.map(item)))));
}
