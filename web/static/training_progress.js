// training_progress.js - the implementation lead's training progress, the
// "Training progress" tab of the Implementation screen (implementation.js,
// for "plan:read"): for each stage of the plan (GET /api/plan), its
// cohort's people (GET /api/plan/live) with their records of the stage's
// modules (GET /api/training/records?stage=): each module's courses and
// proficiency result, and the stage's totals beside its training and
// proficiency gates' percent, so the lead sees before go-live who still
// blocks it. The CSV download (/api/training/records.csv) is the same data
// for a spreadsheet.
//
// The old address #/training-progress (the training home links to it)
// still works: it becomes #/implementation with this tab open.

import { get } from "./api.js";
import { apiPath } from "./env.js";
import { h, show } from "./dom.js";
import { when } from "./fmt.js";
import { implementationScreen, openImplementationTab } from "./implementation.js";

const enc = encodeURIComponent;

// The stage's cohort among the practice's people (GET /api/plan/live).
function cohortOf(stage, people) {
  const c = stage.cohort || { kind: "everyone" };
  if (c.kind === "roles") return people.filter((u) => (u.roles || []).some((r) => (c.roles || []).includes(r)));
  if (c.kind === "users") return people.filter((u) => (c.users || []).includes(u.username));
  return people;
}

const completed = (r) => Boolean(r.completed_at);
const passed = (r) => r.proficiency_passed === true;

// One person's state in one module: every course of it they have
// (their role's variants) completed, and its proficiency check.
function moduleCell(records) {
  if (!records.length) return { done: false, passed: false, text: ["Not started"] };
  const done = records.every(completed);
  const ok = records.some(passed);
  const scored = records.find((r) => r.proficiency_score !== null && r.proficiency_score !== undefined);
  const course = done ? `Completed ${when(records.map((r) => r.completed_at).sort().pop())}`
    : records.some((r) => r.started_at)
      ? `Started: ${records.reduce((n, r) => n + (r.exercises_done || 0), 0)} of ${records.reduce((n, r) => n + (r.exercises || 0), 0)} exercises`
      : "Not started";
  const prof = scored ? `Proficiency ${ok ? "passed" : "not passed"} (${scored.proficiency_score}%)` : "No proficiency check yet";
  return { done, passed: ok, text: [course, prof] };
}

// #/training-progress: the address is replaced (no new history entry) by
// the Implementation screen's, with this tab open.
export function trainingProgressScreen(main, app) {
  openImplementationTab("training");
  implementationScreen(main, app);
}

// The tab's content, read afresh each time the tab opens.
export function trainingProgressPanel() {
  const status = h("p", { class: "status", role: "status", id: "progress-status" }, "Loading the plan…");
  const error = h("p", { class: "form-error", role: "alert", id: "progress-error" });
  const body = h("div", { id: "progress-body" });
  const root = h("div", { class: "training-progress", id: "training-progress" },
    h("h2", { id: "training-progress-title" }, "Training progress"),
    h("p", {}, h("a", { href: apiPath("/api/training/records.csv"), id: "training-csv", download: "training-records.csv" },
      "Download every record (CSV)")),
    status, error, body);
  let titles = new Map();

  async function load() {
    try {
      const [r, catalog] = await Promise.all([get("/api/plan"), get("/api/modules")]);
      titles = new Map(((catalog && catalog.modules) || []).map((m) => [m.id, m.title]));
      const stages = (r && r.plan && Array.isArray(r.plan.stages)) ? r.plan.stages : [];
      if (!root.isConnected) return;
      if (!stages.length) {
        status.textContent = "There is no plan yet: training progress is shown by stage once there is one.";
        return;
      }
      status.textContent = `${stages.length} stages.`;
      show(body, stages.map((s) => stageCard(s)));
    } catch (e) {
      if (!root.isConnected) return;
      status.textContent = "";
      error.textContent = e.message;
    }
  }

  function stageCard(stage) {
    const id = stage.id || stage.name;
    const card = h("section", { class: "card progress-stage", id: `progress-${id}`, "aria-labelledby": `progress-${id}-title` },
      h("h3", { id: `progress-${id}-title` }, `Stage: ${stage.name || id}`),
      h("p", { class: "status" }, "Loading the cohort's records…"));
    fill(card, stage, id);
    return card;
  }

  async function fill(card, stage, id) {
    const gates = Array.isArray(stage.gates) ? stage.gates : [];
    const gate = (kind) => (gates.find((g) => g.kind === kind) || {}).percent;
    const modules = Array.isArray(stage.modules) ? stage.modules : [];
    let records, people;
    try {
      const [r, live] = await Promise.all([get(`/api/training/records?stage=${enc(id)}`), get("/api/plan/live")]);
      records = Array.isArray(r && r.records) ? r.records : [];
      people = (Array.isArray(live && live.users) ? live.users : []).filter((u) => u.kind !== "service");
    } catch (e) {
      if (card.isConnected) show(card, card.firstChild, h("p", { class: "form-error", role: "alert" }, e.message));
      return;
    }
    if (!card.isConnected) return;
    const users = cohortOf(stage, people).map((u) => {
      const cells = modules.map((m) => moduleCell(records.filter((r) => r.username === u.username && r.module === m)));
      return { ...u, cells, done: cells.every((c) => c.done), passed: cells.every((c) => c.passed) };
    });
    const allDone = users.filter((u) => u.done).length;
    const allPassed = users.filter((u) => u.passed).length;
    const pct = (n) => users.length ? Math.round((100 * n) / users.length) : 0;
    const tgate = gate("training_completion"), pgate = gate("proficiency");
    const totals = h("p", { class: "progress-totals", id: `progress-${id}-totals` },
      `Training completed: ${allDone} of ${users.length} (${pct(allDone)}%)`,
      tgate !== undefined ? `, gate ${tgate}%: ${pct(allDone) >= tgate ? "met" : "not met"}` : "",
      `. Proficiency passed: ${allPassed} of ${users.length} (${pct(allPassed)}%)`,
      pgate !== undefined ? `, gate ${pgate}%: ${pct(allPassed) >= pgate ? "met" : "not met"}` : "", ".");
    const table = users.length ? h("div", { class: "table-scroll" }, h("table", { class: "progress-table", id: `progress-${id}-table` },
      h("caption", {}, `Training of the cohort of ${stage.name || id}`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Person"),
        modules.map((m) => h("th", { scope: "col" }, titles.get(m) || m)))),
      h("tbody", {}, users.map((u) => h("tr", { "data-user": u.username },
        h("th", { scope: "row" }, u.display ? `${u.display} (${u.username})` : u.username),
        u.cells.map((c, i) => h("td", { "data-module": modules[i], class: c.done ? "course-completed" : "course-open" },
          c.text[0], c.text[1] ? [h("br"), c.text[1]] : null)))))))
      : h("p", {}, "Nobody is in this stage's cohort yet.");
    show(card, card.firstChild, totals, table);
  }

  load();
  return root;
}
