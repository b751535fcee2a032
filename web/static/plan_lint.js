// plan_lint.js - the plan check (GET /api/plan/lint, docs/rollout.md "The
// plan linter"): errors first, each marked as blocking go-live, then the
// warnings, the risks a practice may accept; each is the linter's own
// sentence, with the stage it is about.

import { get } from "./api.js";
import { h, show } from "./dom.js";

export function lintCard(ctx) {
  const summary = h("p", { id: "lint-summary", role: "status" }, "Checking the plan…");
  const error = h("p", { class: "form-error", role: "alert", id: "lint-error" });
  const lists = h("div", { id: "lint-lists" });
  const stageName = (id) => {
    const s = ((ctx.plan && ctx.plan.stages) || []).find((x) => x.id === id);
    return s ? s.name : id;
  };

  function item(f) {
    const error = f.severity === "error";
    return h("li", { class: error ? "lint-error" : "lint-warning", "data-code": f.code },
      h("strong", { class: "lint-kind" }, error ? "Error — blocks go-live: " : "Warning: "),
      f.message,
      f.stage ? h("span", { class: "meta" }, ` (stage ${stageName(f.stage)})`) : null);
  }

  async function load() {
    try {
      const r = await get("/api/plan/lint");
      if (!ctx.alive()) return;
      const findings = r.findings || [];
      const errors = findings.filter((f) => f.severity === "error");
      const warnings = findings.filter((f) => f.severity !== "error");
      const n = (k, word) => `${k} ${word}${k === 1 ? "" : "s"}`;
      summary.textContent = !findings.length ? "The plan checks with no errors and no warnings."
        : `${n(errors.length, "error")}${errors.length ? " (blocking go-live)" : ""}, ${n(warnings.length, "warning")}.`;
      show(lists,
        errors.length ? [h("h3", {}, "Errors: these block go-live"), h("ul", { class: "lint-list", id: "lint-errors" }, errors.map(item))] : null,
        // Many warnings fold away (a template accepts a dozen): the
        // summary says how many and opens them.
        warnings.length ? h("details", { id: "lint-warnings-box", open: warnings.length <= 5 },
          h("summary", {}, h("h3", { class: "inline" }, `Warnings (${warnings.length}): risks the practice may accept`)),
          h("ul", { class: "lint-list", id: "lint-warnings" }, warnings.map(item))) : null);
    } catch (e) {
      summary.textContent = "";
      error.textContent = e.message;
    }
  }

  load();
  return h("section", { class: "card", id: "lint", "aria-labelledby": "lint-title" },
    h("h2", { id: "lint-title" }, "Plan check"), summary, error, lists);
}
