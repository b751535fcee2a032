// plan_templates.js - starting a plan from a template (GET
// /api/plan/templates, POST /api/plan/template): each template with when
// to choose it and its stages, one start date the stage dates count from,
// and "Use this template". The request names the version read (0: no
// plan), so a colleague's plan saved meanwhile is not overwritten.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { today } from "./fmt.js";

export function templatesCard(ctx) {
  const list = h("div", { id: "templates-list" }, h("p", { class: "status" }, "Loading the templates…"));
  const error = h("p", { class: "form-error", role: "alert", id: "templates-error" });
  const start = field("Start date (each stage's target date counts from it)",
                      { id: "template-start", type: "date", value: today(), required: true });
  const canApply = ctx.app.offers("changePlan");

  function templateSection(t) {
    const titleId = `template-${t.name}-title`;
    const rowError = h("p", { class: "form-error", role: "alert", id: `template-${t.name}-error` });
    const use = h("button", { type: "button", class: "use-template", "aria-describedby": `template-${t.name}-error`,
      onclick: async () => {
        rowError.textContent = start.error.textContent = "";
        const date = start.input.value;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
          start.error.textContent = "Enter the start date (YYYY-MM-DD).";
          start.input.focus();
          return;
        }
        use.disabled = true;
        try {
          await post("/api/plan/template", { template: t.name, start: date, version: ctx.version });
          await ctx.reload("timeline-title");
          ctx.app.refreshMe().catch(() => {});
        } catch (e) {
          rowError.textContent = e.code === "version_conflict"
            ? `${e.message} Someone saved a plan meanwhile: reload the screen to see it.` : e.message;
          use.disabled = false;
        }
      } }, "Use this template", h("span", { class: "sr-only" }, `: ${t.title || t.name}`));
    return h("section", { class: "template card-inner", "data-template": t.name, "aria-labelledby": titleId },
      h("h3", { id: titleId }, t.title || t.name),
      h("p", { class: "template-description" }, t.description || ""),
      h("ol", { class: "template-stages", "aria-label": `Stages of ${t.title || t.name}` },
        (t.stages || []).map((s) => h("li", {},
          h("strong", {}, s.name), ` — week ${s.weeks}: `,
          (s.modules || []).map((m) => ctx.title(m)).join(", ")))),
      canApply ? use : null, rowError);
  }

  async function load() {
    try {
      const r = await get("/api/plan/templates");
      if (!ctx.alive()) return;
      show(list, (r.templates || []).map(templateSection));
    } catch (e) {
      show(list);
      error.textContent = e.message;
    }
  }

  load();
  return h("section", { class: "card", id: "templates", "aria-labelledby": "templates-title" },
    h("h2", { id: "templates-title" }, "Start the plan from a template"),
    h("p", {}, "A template is a starting point: its stages, dates, cohorts and gates can be changed once it is the plan."),
    canApply ? start.row : h("p", { class: "status" }, "Your role may read the plan but not start one."),
    error, list);
}
