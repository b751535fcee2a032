// implementation.js - the Implementation screen (#/implementation), for
// whoever holds "plan:read" (the implementation lead): with no plan yet,
// the templates to start from (plan_templates.js); with one, the plan
// check (plan_lint.js), the stages as a timeline with their gates,
// readiness checklist, go-live and rollback (plan_timeline.js,
// plan_gates.js), the plan's versions and what changed between two
// (plan_history.js), per-user overrides (plan_overrides.js), and who has
// which module live now (plan_live.js). A second tab, "Training
// progress" (training_progress.js), shows the training of each stage's
// cohort, person by person.
//
// Everything comes from /api/plan… and /api/modules (docs/rollout.md);
// after a change the screen reads them again (ctx.reload) so what shows
// is what the server holds. The open tab is kept in the history entry's
// state, so a reload or Back returns to it; the address stays
// #/implementation.

import { get } from "./api.js";
import { h, show } from "./dom.js";
import { when } from "./fmt.js";
import { templatesCard } from "./plan_templates.js";
import { lintCard } from "./plan_lint.js";
import { timelineCard } from "./plan_timeline.js";
import { historyCard } from "./plan_history.js";
import { overridesCard } from "./plan_overrides.js";
import { editCard } from "./plan_edit.js";
import { liveCard } from "./plan_live.js";
import { trainingProgressPanel } from "./training_progress.js";

const TABS = [["plan", "Plan"], ["training", "Training progress"]];

// Makes the current history entry #/implementation with tab `name` open
// (for the old #/training-progress address); no new entry.
export function openImplementationTab(name) {
  history.replaceState({ ...(history.state || {}), implementationTab: name }, "", "#/implementation");
}

// The ARIA tabs pattern (as the chart's): arrow keys, Home and End move
// between tabs and open them. The plan panel is built once and redraws
// itself; the training panel is read afresh each time it opens.
function implementationTabs(planPanel) {
  const buttons = TABS.map(([id, label]) => h("button", { type: "button", role: "tab", id: `impl-tab-${id}`,
    "aria-controls": `impl-panel-${id}`, "aria-selected": "false", tabindex: "-1", class: "tab" }, label));
  const panels = TABS.map(([id], i) => h("div", { role: "tabpanel", id: `impl-panel-${id}`,
    "aria-labelledby": `impl-tab-${id}`, hidden: true }, i === 0 ? planPanel : null));
  function select(i, focus) {
    buttons.forEach((b, j) => {
      b.setAttribute("aria-selected", String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (TABS[i][0] === "training") show(panels[i], trainingProgressPanel());
    if (location.hash === "#/implementation") openImplementationTab(TABS[i][0]);
    if (focus) buttons[i].focus();
  }
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => select(i, false));
    b.addEventListener("keydown", (ev) => {
      const n = buttons.length;
      const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[ev.key];
      if (to !== undefined) { ev.preventDefault(); select(to, true); }
    });
  });
  const wanted = TABS.findIndex(([id]) => id === (history.state && history.state.implementationTab));
  select(wanted < 0 ? 0 : wanted, false);
  return h("div", { class: "implementation-tabs" },
    h("div", { role: "tablist", class: "tabs", "aria-label": "Implementation" }, buttons), panels);
}

export function implementationScreen(main, app) {
  const status = h("p", { class: "status", role: "status", id: "plan-status" }, "Loading the plan…");
  const error = h("p", { class: "form-error", role: "alert", id: "plan-error" });
  const body = h("div", { id: "plan-body" });
  const root = h("div", { class: "implementation", id: "implementation" },
    h("h1", { id: "implementation-title" }, "Implementation"),
    implementationTabs(h("div", { id: "plan-panel" }, status, error, body)));
  show(main, root);

  // What the parts share: the app, module titles, the plan read and its
  // version, and reload() to read everything again after a change.
  const ctx = {
    app,
    titles: new Map(),
    modules: [],
    version: 0,
    plan: null,
    alive: () => root.isConnected,
    title(id) { return this.titles.get(id) || id; },
    reload,
    // Set by the "Who has what live" card: reads it again after an
    // override changes (go-live and rollback redraw everything).
    liveChanged() {},
  };

  // Reads the plan and the catalog and draws the screen; focusId names
  // the element to give focus to afterwards (the stage acted on).
  async function reload(focusId) {
    error.textContent = "";
    try {
      const [plan, catalog] = await Promise.all([get("/api/plan"), get("/api/modules")]);
      if (!ctx.alive()) return;
      ctx.modules = catalog.modules || [];
      ctx.titles = new Map(ctx.modules.map((m) => [m.id, m.title]));
      ctx.version = plan.version || 0;
      ctx.plan = plan.plan;
      ctx.record = plan;
      draw();
    } catch (e) {
      if (!ctx.alive()) return;
      status.textContent = "";
      error.textContent = e.message;
      return;
    }
    const target = focusId && document.getElementById(focusId);
    if (target) target.focus();
  }

  function draw() {
    if (!ctx.plan) {
      status.textContent = "There is no plan yet: every module is live for everyone until there is one.";
      show(body, templatesCard(ctx), liveCard(ctx), app.offers("overrides") ? overridesCard(ctx) : null);
      return;
    }
    const r = ctx.record;
    status.textContent = `Plan version ${ctx.version}, saved ${when(r.updated_at)} by ${r.updated_by || "—"}`
      + (r.comment ? ` (${r.comment}).` : ".");
    show(body,
      lintCard(ctx),
      timelineCard(ctx),
      app.offers("changePlan") ? editCard(ctx) : null,
      historyCard(ctx),
      liveCard(ctx),
      app.offers("overrides") ? overridesCard(ctx) : null);
  }

  reload();
}
