// plan_live.js - who has which module live now (GET /api/plan/live,
// docs/rollout.md "Who has what live"): a table with a row per enabled
// account and a column per module, each cell "Live" or "—" with the
// reason in words for screen readers (the rollout decision's own: in the
// stage's cohort, an override, a stage not live yet, …), and a filter by
// username or role. The implementation screen draws it afresh after a
// go-live or rollback (ctx.reload) and calls ctx.liveChanged() after an
// override changes.

import { get } from "./api.js";
import { h, show } from "./dom.js";
import { errorSlot } from "./fmt.js";

// The decision's reason, as words.
const WHY = {
  no_plan: "no plan yet, so every module is live",
  in_cohort: "their stage is live for them",
  super_user: "super-user",
  override: "override",
  planned: "its stage has not gone live yet",
  rolled_back: "its stage was rolled back",
  not_in_cohort: "its stage is live for other people",
  no_stage: "no stage includes it yet",
};

export function liveCard(ctx) {
  const slot = h("div", { id: "live-table-slot" }, h("p", { class: "status" }, "Loading who has what live…"));
  const error = errorSlot("live-error");
  const count = h("p", { class: "status", id: "live-count", role: "status" });
  const filter = h("input", { type: "search", id: "live-filter", autocomplete: "off", maxlength: 64,
    "aria-describedby": "live-filter-hint live-count", oninput: () => apply() });
  let rows = [];

  function cell(user, m) {
    const live = (user.live || []).includes(m);
    const why = (user.why || {})[m];
    const words = WHY[why] || why || "";
    return h("td", { class: live ? "live-yes" : "live-no", "data-module": m, "data-why": why || "" },
      live ? "Live" : h("span", { "aria-hidden": "true" }, "—"),
      h("span", { class: "sr-only" }, live ? ` (${words})` : `Not live (${words})`));
  }

  function table(r) {
    const modules = r.modules || [];
    const users = r.users || [];
    rows = users.map((u) => {
      const roles = (u.roles || []).join(", ");
      const tr = h("tr", { "data-user": u.username },
        h("th", { scope: "row" }, u.display && u.display !== u.username ? `${u.display} (${u.username})` : u.username,
          u.kind === "service" ? h("span", { class: "meta" }, " — service account") : null),
        h("td", {}, roles || "—"),
        modules.map((m) => cell(u, m)));
      return { tr, text: `${u.username} ${u.display || ""} ${(u.roles || []).join(" ")}`.toLowerCase() };
    });
    return h("div", { class: "table-scroll" }, h("table", { class: "data live-table", id: "live-table" },
      h("caption", {}, r.version ? `Modules live for each person now (plan version ${r.version})`
        : "Modules live for each person now (no plan yet: every module is live for everyone)"),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "Person"), h("th", { scope: "col" }, "Roles"),
        modules.map((m) => h("th", { scope: "col", "data-module": m }, ctx.title(m))))),
      h("tbody", {}, rows.map((x) => x.tr))));
  }

  function apply() {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const x of rows) {
      const match = !q || x.text.includes(q);
      x.tr.hidden = !match;
      if (match) shown++;
    }
    count.textContent = q ? `Showing ${shown} of ${rows.length} people.` : `${rows.length} people.`;
  }

  async function load() {
    error.textContent = "";
    try {
      const r = await get("/api/plan/live");
      if (!ctx.alive()) return;
      show(slot, table(r));
      apply();
    } catch (e) {
      show(slot);
      error.textContent = e.message;
    }
  }

  ctx.liveChanged = load;
  load();
  return h("section", { class: "card", id: "plan-live", "aria-labelledby": "live-title" },
    h("h2", { id: "live-title" }, "Who has what live"),
    h("p", {}, "Every active account and the modules live for it now, as the server decides on each request."),
    h("div", { class: "field" }, h("label", { for: "live-filter" }, "Filter people"),
      h("span", { class: "meta", id: "live-filter-hint" }, "Part of a username, a name or a role, such as physician."), filter),
    count, slot, error);
}
