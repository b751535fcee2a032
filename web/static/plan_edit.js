// plan_edit.js - simple changes to the plan (plan:write): the target date
// of each stage that has not gone live, and which stage each module goes
// live in. Saving is PUT /api/plan with the plan as read and the version
// it was read at; a colleague's save in between is refused (409
// version_conflict) and offers to reload, and a plan that does not check
// shows every problem the server names. A live stage's date and modules
// stay as they are (the server refuses to change them).

import { put } from "./api.js";
import { h, show } from "./dom.js";
import { errorSlot } from "./fmt.js";

export function editCard(ctx) {
  const stages = ctx.plan.stages || [];
  const open = stages.filter((s) => s.state !== "live");
  const stageOf = new Map();
  stages.forEach((s) => (s.modules || []).forEach((m) => stageOf.set(m, s)));
  const error = errorSlot("edit-plan-error");
  const problems = h("ul", { class: "form-error", id: "edit-plan-problems", "aria-live": "polite" });
  const conflict = h("div", { id: "edit-plan-conflict" });
  const saved = h("p", { class: "form-info", role: "status", id: "edit-plan-saved", tabindex: "-1" });

  const dates = open.map((s) => {
    const input = h("input", { type: "date", id: `edit-date-${s.id}`, value: s.target_date || "" });
    return { s, input, row: h("div", { class: "field" }, h("label", { for: input.id }, `Target date of ${s.name}`), input) };
  });

  const placements = ctx.modules.map((m) => {
    const at = stageOf.get(m.id);
    const fixed = at && at.state === "live";
    const id = `edit-module-${m.id}`;
    const select = fixed ? null : h("select", { id },
      open.map((s) => h("option", { value: s.id, selected: at && at.id === s.id }, s.name)),
      h("option", { value: "", selected: !at }, "Not in any stage yet"));
    return { m, select, row: h("tr", {},
      h("th", { scope: "row" }, fixed ? m.title : h("label", { for: id }, m.title)),
      h("td", {}, fixed ? `${at.name} (live)` : select)) };
  });

  const comment = h("input", { id: "edit-plan-comment", maxlength: 500 });
  const submit = h("button", { type: "submit" }, "Save the plan");

  function changed() {
    const plan = JSON.parse(JSON.stringify(ctx.plan));
    const byId = new Map(plan.stages.map((s) => [s.id, s]));
    for (const d of dates) byId.get(d.s.id).target_date = d.input.value;
    for (const p of placements) {
      if (!p.select) continue;
      for (const s of plan.stages)
        if (s.state !== "live") s.modules = (s.modules || []).filter((m) => m !== p.m.id);
      if (p.select.value) byId.get(p.select.value).modules.push(p.m.id);
    }
    // Keep the catalog's order within each stage.
    const order = new Map(ctx.modules.map((m, i) => [m.id, i]));
    for (const s of plan.stages) s.modules.sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
    return plan;
  }

  const form = h("form", { id: "edit-plan-form", novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    error.textContent = saved.textContent = "";
    show(conflict);
    show(problems);
    submit.disabled = true;
    try {
      const r = await put("/api/plan", { plan: changed(), version: ctx.version, comment: comment.value.trim() || undefined });
      await ctx.reload("edit-plan-saved");
      const after = document.getElementById("edit-plan-saved");
      if (after) after.textContent = `Saved as version ${r.version}: ${r.errors} error${r.errors === 1 ? "" : "s"}, `
        + `${r.warnings} warning${r.warnings === 1 ? "" : "s"} (see the plan check).`;
      return;
    } catch (e) {
      if (e.code === "version_conflict") {
        const reload = h("button", { type: "button", onclick: () => ctx.reload("timeline-title") }, "Reload the plan");
        show(conflict, h("div", { class: "conflict", role: "alert" },
          h("p", {}, `${e.message} Someone saved the plan after you read it; nothing was overwritten. Reload to see their version, then make your change again.`),
          reload));
        reload.focus();
      } else {
        error.textContent = e.message;
        if (e.details && e.details.length > 1)
          show(problems, e.details.map((d) => h("li", {}, d.path ? `${d.path}: ${d.message}` : d.message)));
      }
    }
    submit.disabled = false;
  } },
    dates.length ? h("div", { class: "form-grid" }, dates.map((d) => d.row)) : null,
    h("table", { class: "data", id: "edit-modules" },
      h("caption", {}, "Which stage each module goes live in"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Module"), h("th", { scope: "col" }, "Stage"))),
      h("tbody", {}, placements.map((p) => p.row))),
    h("div", { class: "field" }, h("label", { for: comment.id }, "Comment (optional, kept in the history)"), comment),
    conflict, error, problems, h("div", { class: "buttons" }, submit));

  return h("section", { class: "card", id: "edit-plan", "aria-labelledby": "edit-plan-title" },
    h("h2", { id: "edit-plan-title" }, "Change the plan"), saved,
    h("details", {}, h("summary", {}, "Target dates and modules"), form));
}
