// plan_history.js - the plan's versions (GET /api/plan/history: when, who,
// why, newest first) and what changed between two chosen versions (GET
// /api/plan/diff?from=&to=), as the server's sentences.

import { get } from "./api.js";
import { h, show } from "./dom.js";
import { when, errorSlot } from "./fmt.js";

export function historyCard(ctx) {
  const table = h("div", { id: "history-versions" }, h("p", { class: "status" }, "Loading the versions…"));
  const error = errorSlot("history-error");
  const diffForm = h("div", { id: "diff-form-slot" });
  const diffError = errorSlot("diff-error");
  const diff = h("div", { id: "plan-diff", "aria-live": "polite" });

  function versionsTable(versions) {
    return h("table", { class: "data", id: "history-table" },
      h("caption", { class: "sr-only" }, "Versions of the plan, newest first"),
      h("thead", {}, h("tr", {}, ["Version", "When", "Who", "Comment"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, versions.map((v) => h("tr", { "data-version": v.version },
        h("td", {}, String(v.version)), h("td", {}, when(v.at)), h("td", {}, v.by || "—"), h("td", {}, v.comment || "—")))));
  }

  function form(versions) {
    const options = (withZero) => [
      ...versions.map((v) => h("option", { value: v.version }, `Version ${v.version} (${when(v.at)})`)),
      withZero ? h("option", { value: 0 }, "Before the first plan") : null];
    const from = h("select", { id: "diff-from" }, options(true));
    const to = h("select", { id: "diff-to" }, options(false));
    to.value = String(versions[0].version);
    from.value = String(versions.length > 1 ? versions[1].version : 0);
    const go = h("button", { type: "submit" }, "Show changes");
    return h("form", { id: "diff-form", class: "row-inline", "aria-label": "Compare two versions", novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        diffError.textContent = "";
        go.disabled = true;
        try {
          const r = await get(`/api/plan/diff?from=${from.value}&to=${to.value}`);
          const changes = r.changes || [];
          const name = (n) => (Number(n) === 0 ? "before the first plan" : `version ${n}`);
          show(diff,
            h("p", { id: "diff-summary" }, changes.length
              ? `From ${name(r.from)} to ${name(r.to)}, ${changes.length} change${changes.length === 1 ? "" : "s"}:`
              : `Nothing changed from ${name(r.from)} to ${name(r.to)}.`),
            changes.length ? h("ul", { id: "diff-list" }, changes.map((c) => h("li", {}, c))) : null);
        } catch (e) {
          show(diff);
          diffError.textContent = e.message;
        }
        go.disabled = false;
      } },
      h("div", { class: "field" }, h("label", { for: "diff-from" }, "From version"), from),
      h("div", { class: "field" }, h("label", { for: "diff-to" }, "To version"), to),
      h("div", { class: "field" }, go));
  }

  async function load() {
    try {
      const r = await get("/api/plan/history");
      if (!ctx.alive()) return;
      const versions = r.versions || [];
      show(table, versions.length ? versionsTable(versions) : h("p", { class: "status" }, "No versions yet."));
      show(diffForm, versions.length ? form(versions) : null);
    } catch (e) {
      show(table);
      error.textContent = e.message;
    }
  }

  load();
  return h("section", { class: "card", id: "history", "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "History"), table, error,
    h("h3", {}, "What changed"), diffForm, diffError, diff);
}
