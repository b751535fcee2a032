// adoption_dashboard.js - the practice dashboard (#/adoption), for the
// implementation lead, the practice administrator and super-users (the
// server refuses anyone else, and the screen then says so): adoption by
// module week by week since each stage went live, the users below a floor,
// the productivity curve of the practice beside the expected curve and the
// forecasts (labelled estimates, with their sources), each clinician's
// curve, the stage gates that read the benchmarks, the open findings with
// "Assign refresher", and every user's level per module. One read each of
// GET /api/adoption/dashboard, /users and /findings?open=1.

import { get } from "./api.js";
import { h, show } from "./dom.js";
import { enc } from "./fmt.js";
import { levelBars, levelLegend, productivityChart, clinicianChart, dipText, withUnit } from "./adoption_charts.js";
import { findingsCard, levelBadge } from "./adoption.js";

// A forecast source: a sentence, or {title, url}.
const source = (s) => typeof s === "string" ? s
  : [s.title || s.name || "", s.url ? [" (", h("a", { href: s.url, rel: "noreferrer" }, s.url), ")"] : ""];

export async function dashboardView(body, ctx) {
  let dash, users, findings, targets;
  try {
    [dash, users, findings, targets] = await Promise.all([
      get("/api/adoption/dashboard"),
      get("/api/adoption/users").catch((e) => ({ error: e })),
      get("/api/adoption/findings?open=1").catch((e) => ({ error: e })),
      get("/api/adoption/targets").catch(() => ({ targets: [] }))]);
  } catch (e) {
    if (!ctx.alive()) return;
    show(body, h("p", { class: "form-error", role: "alert", id: "adoption-error" },
      e.status === 403 ? `The practice dashboard is for the implementation lead and super-users: ${e.message}` : e.message),
      h("p", {}, h("a", { href: "#/adoption/me" }, "See my adoption")));
    return;
  }
  if (!ctx.alive()) return;
  // Module titles and benchmark labels for ids (a super-user may not
  // read the targets: the ids show then).
  const names = {
    module: new Map((dash.modules || []).map((m) => [m.module, m.title || m.module])),
    benchmark: new Map(((targets && targets.targets) || []).map((t) => [t.id, t])),
  };
  show(body,
    h("p", { class: "status", id: "dashboard-as-of" }, `As of ${dash.as_of || "today"}.`),
    modulesCard(dash),
    belowFloorCard(dash, names),
    productivityCard(dash),
    gatesCard(dash),
    findings.error ? errorCard("dashboard-findings", "Findings", findings.error)
      : findingsCard(findings.findings || [], ctx, { id: "dashboard-findings", title: "Findings: whom to retrain for what", showUser: true,
          titles: names.module,
          people: new Map(((users && users.users) || []).map((u) => [u.username, u.display_name || u.username])) }),
    users.error ? errorCard("adoption-users", "Users", users.error) : usersCard(users, names));
}

function errorCard(id, title, e) {
  return h("section", { class: "card", id }, h("h2", {}, title), h("p", { class: "form-error", role: "alert" }, e.message));
}

function modulesCard(dash) {
  const mods = (dash.modules || []).filter((m) => m.live_since || (m.series || []).length);
  return h("section", { class: "card", id: "adoption-by-module", "aria-labelledby": "adoption-by-module-title" },
    h("h2", { id: "adoption-by-module-title" }, "Adoption by module since go-live"),
    mods.length ? levelLegend() : null,
    mods.length ? h("div", { class: "module-grid" }, mods.map((m) => h("div", { class: "module-series", "data-module": m.module },
      h("h3", {}, m.title || m.module),
      h("p", { class: "meta" }, m.live_since ? `Live since ${m.live_since}` : "Not live yet"),
      levelBars(`levels-${m.module}`, m.title || m.module, m.series))))
      : h("p", {}, "No module is live yet: adoption is measured from each stage's go-live."));
}

function belowFloorCard(dash, names) {
  const rows = dash.below_floor || [];
  return h("section", { class: "card", id: "below-floor", "aria-labelledby": "below-floor-title" },
    h("h2", { id: "below-floor-title" }, "Users below a floor"),
    rows.length ? h("div", { class: "table-scroll" }, h("table", { class: "data", id: "below-floor-table" },
      h("caption", {}, `${rows.length} benchmark${rows.length === 1 ? "" : "s"} below the practice's floor, after the settling-in weeks`),
      h("thead", {}, h("tr", {}, ["User", "Module", "Benchmark", "Value", "Floor", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((r) => h("tr", { "data-user": r.username, "data-benchmark": r.benchmark },
        h("th", { scope: "row" }, r.display_name || r.username),
        h("td", {}, names.module.get(r.module) || r.module || "—"),
        h("td", {}, benchmarkOf(r, names).label || r.benchmark),
        h("td", {}, withUnit(r.value, unitOf(r, names))), h("td", {}, withUnit(r.floor, unitOf(r, names))),
        h("td", {}, h("a", { href: `#/adoption/users/${enc(r.username)}` }, "Scorecard")))))))
      : h("p", {}, "Nobody is below a floor."));
}

function productivityCard(dash) {
  const f = dash.forecast || null;
  const sources = (f && Array.isArray(f.sources)) ? f.sources : [];
  const clinicians = dash.clinicians || [];
  return h("section", { class: "card", id: "practice-productivity", "aria-labelledby": "practice-productivity-title" },
    h("h2", { id: "practice-productivity-title" }, "Productivity: the dip and the recovery"),
    h("p", { class: "dip-text", id: "practice-dip" }, dipText(dash.productivity)),
    productivityChart("practice-productivity-chart", dash.productivity, f),
    f ? h("div", { class: "estimate-note", id: "forecast-note" },
      h("p", {}, h("strong", {}, `${f.label || "Estimate"}.`), " The plan and Big Bang bands are estimated from published ranges of the first weeks' drop, ",
        "the time to recover and the residual, scaled to this practice's clinicians and baseline; they are not measurements."),
      sources.length ? [h("p", {}, "Sources:"), h("ul", { class: "sources" }, sources.map((s) => h("li", {}, source(s))))] : null)
      : null,
    h("h3", {}, "Each clinician"),
    clinicians.length ? h("div", { class: "trend-grid clinician-grid" }, clinicians.map((c) =>
      h("div", { class: "clinician-curve", "data-user": c.username },
        clinicianChart(`productivity-${c.username.replace(/[^A-Za-z0-9-]/g, "-")}`, c.display_name || c.username, c.productivity),
        h("p", {}, h("a", { href: `#/adoption/users/${enc(c.username)}` }, "Scorecard")))))
      : h("p", {}, "No clinician has a scheduled session yet."));
}

function gatesCard(dash) {
  // The dashboard lists every gate of the stages still to go live; the
  // other kinds are the Implementation screen's.
  const gates = (dash.gates || []).filter((g) => g.gate === "previous_benchmarks");
  return h("section", { class: "card", id: "adoption-gates", "aria-labelledby": "adoption-gates-title" },
    h("h2", { id: "adoption-gates-title" }, "Stage gates that depend on benchmarks"),
    gates.length ? h("table", { class: "data" }, h("caption", {}, "Gates reading the adoption levels"),
      h("thead", {}, h("tr", {}, ["Stage", "Gate", "State", "Now", "Required", "Detail"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, gates.map((g) => h("tr", { class: `gate-${g.state}` },
        h("th", { scope: "row" }, g.stage_name || g.stage), h("td", {}, "Earlier stages' users adopted"),
        h("td", { class: "gate-state" }, String(g.state || "—").replaceAll("_", " ")),
        h("td", {}, typeof g.percent === "number" ? `${Math.round(g.percent)}%` : "—"),
        h("td", {}, typeof g.required === "number" ? `${g.required}%` : "—"),
        h("td", {}, g.detail || "")))))
      : h("p", {}, "No stage of the plan has a benchmark gate."));
}

// "breadth.orders" is the breadth benchmark counted for one module.
const benchmarkOf = (r, names) => names.benchmark.get(r.benchmark) || names.benchmark.get(String(r.benchmark).split(".")[0]) || {};
const unitOf = (r, names) => r.unit || benchmarkOf(r, names).unit || "";

function usersCard(r, names) {
  const users = r.users || [];
  const modules = [...new Set(users.flatMap((u) => (u.modules || []).map((m) => m.module)))];
  return h("section", { class: "card", id: "adoption-users", "aria-labelledby": "adoption-users-title" },
    h("h2", { id: "adoption-users-title" }, "Users"),
    users.length ? h("div", { class: "table-scroll" }, h("table", { class: "data users-levels", id: "adoption-users-table" },
      h("caption", {}, "Each user's level per module, benchmarks below a floor and open findings"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "User"), modules.map((m) => h("th", { scope: "col" }, names.module.get(m) || m)),
        h("th", { scope: "col" }, "Flagged"), h("th", { scope: "col" }, "Below floor"), h("th", { scope: "col" }, "Open findings"))),
      h("tbody", {}, users.map((u) => {
        const by = new Map((u.modules || []).map((m) => [m.module, m]));
        return h("tr", { "data-user": u.username },
          h("th", { scope: "row" }, h("a", { href: `#/adoption/users/${enc(u.username)}` }, u.display_name || u.username)),
          modules.map((m) => h("td", {}, by.has(m) ? levelBadge(by.get(m).level, by.get(m).flagged) : "—")),
          h("td", {}, (u.modules || []).filter((m) => m.flagged).length),
          h("td", {}, u.below_floor || 0), h("td", {}, u.findings_open || 0));
      }))))
      : h("p", {}, "No users to show."));
}
