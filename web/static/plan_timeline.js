// plan_timeline.js - the plan as a timeline: the stages in order, each
// with its name, target date, state in words (not colour alone), modules
// by title, cohort in words and gates as defined; under each, the gates'
// state and the actions (plan_gates.js).

import { h } from "./dom.js";
import { when } from "./fmt.js";
import { stagePanel } from "./plan_gates.js";

const roleText = (r) => String(r).replaceAll("_", " ");

// "Everyone", "Roles: physician, nurse", "Named: dr.rivera".
export function cohortText(c) {
  if (!c || c.kind === "everyone") return "Everyone";
  if (c.kind === "roles") return `Roles: ${(c.roles || []).map(roleText).join(", ")}`;
  if (c.kind === "users") return `Named: ${(c.users || []).join(", ")}`;
  return c.kind;
}

// "Live since 2026-11-25 09:41", "Planned", "Rolled back on …".
export function stateText(s) {
  if (s.state === "live") return s.live_at ? `Live since ${when(s.live_at)}` : "Live";
  if (s.state === "rolled_back") return s.rolled_back_at ? `Rolled back on ${when(s.rolled_back_at)}` : "Rolled back";
  return "Planned";
}

// A gate as defined in the plan, in words.
export function gateText(g) {
  switch (g.kind) {
    case "training_completion": return `Training completed by ${g.percent}% of the cohort`;
    case "proficiency": return `Proficiency check passed by ${g.percent}% of the cohort`;
    case "interface_tests": return "Interface test suite passed";
    case "previous_benchmarks": return `${g.percent}% of the previous stage's users meet its benchmarks`;
    case "checklist": {
      const n = (g.items || []).length;
      return `Readiness checklist (${n} item${n === 1 ? "" : "s"})`;
    }
    default: return g.kind;
  }
}

export function timelineCard(ctx) {
  const stages = ctx.plan.stages || [];
  return h("section", { class: "card", id: "timeline", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title", tabindex: "-1" }, "Stages"),
    h("p", { class: "status" }, `${stages.length} stage${stages.length === 1 ? "" : "s"}, in the order they go live.`),
    h("ol", { class: "timeline", id: "timeline-list" }, stages.map((s, i) => stageItem(ctx, s, i))));
}

function stageItem(ctx, s, i) {
  const titleId = `stage-${s.id}-title`;
  return h("li", { class: `stage stage-${s.state || "planned"}`, id: `stage-${s.id}`, "data-stage": s.id,
                   "aria-labelledby": titleId },
    h("div", { class: "stage-head" },
      h("h3", { id: titleId }, h("span", { class: "stage-number" }, `Stage ${i + 1}: `), s.name),
      h("p", { class: `stage-state state-${s.state || "planned"}`, id: `stage-${s.id}-state`, tabindex: "-1" },
        h("span", { class: "state-mark", "aria-hidden": "true" }, s.state === "live" ? "●" : s.state === "rolled_back" ? "↺" : "○"),
        " ", stateText(s))),
    h("dl", { class: "facts stage-facts" },
      h("dt", {}, "Target date"), h("dd", { class: "stage-date" }, s.target_date || "—"),
      h("dt", {}, "Modules"), h("dd", { class: "stage-modules" }, (s.modules || []).map((m) => ctx.title(m)).join(", ") || "—"),
      h("dt", {}, "Cohort"), h("dd", { class: "stage-cohort" }, cohortText(s.cohort)),
      h("dt", {}, "Gates"), h("dd", { class: "stage-gates" },
        (s.gates || []).length ? h("ul", { class: "plain" }, s.gates.map((g) => h("li", {}, gateText(g)))) : "None")),
    stagePanel(ctx, s));
}
