// adoption_targets.js - the lead's targets and settings (#/adoption/targets,
// plan:write): each benchmark's floor and goal (GET/PUT
// /api/adoption/targets; the defaults shown beside them, with the formula
// and its source), and the practice's adoption settings (GET/PUT
// /api/adoption/settings): the settling-in weeks after go-live before
// anyone is flagged, the share of peers that makes a feature "used by
// most", and the practice's offset from UTC that decides where a day ends.
// The server checks every value; its sentence shows beside the form.

import { get, put } from "./api.js";
import { h, show, field } from "./dom.js";
import { withUnit } from "./adoption_charts.js";

export async function targetsView(body, ctx) {
  let targets, settings;
  try {
    [targets, settings] = await Promise.all([get("/api/adoption/targets"), get("/api/adoption/settings")]);
  } catch (e) {
    if (!ctx.alive()) return;
    show(body, h("p", { class: "form-error", role: "alert", id: "adoption-error" }, e.message));
    return;
  }
  if (!ctx.alive()) return;
  show(body, targetsCard(targets.targets || []), settingsCard(settings || {}));
}

function targetsCard(list) {
  const error = h("p", { class: "form-error", role: "alert", id: "targets-error" });
  const done = h("p", { class: "form-info", role: "status", id: "targets-saved" });
  const inputs = new Map();
  const num = (id, label, value) => h("input", { type: "number", step: "any", id, value, class: "small-input", "aria-label": label, required: true });
  const rows = list.map((t) => {
    const floor = num(`floor-${t.id}`, `${t.label} floor`, t.floor);
    const goal = num(`goal-${t.id}`, `${t.label} goal`, t.goal);
    inputs.set(t.id, { t, floor, goal });
    return h("tr", { "data-benchmark": t.id },
      h("th", { scope: "row" }, t.label || t.id, h("br"), h("span", { class: "meta" }, t.formula || ""),
        t.source ? [h("br"), h("span", { class: "meta" }, `Source: ${t.source}`)] : null),
      h("td", {}, t.unit || ""),
      h("td", {}, floor), h("td", {}, goal),
      h("td", {}, `floor ${withUnit(t.default_floor, t.unit)}, goal ${withUnit(t.default_goal, t.unit)}`,
        t.lower_is_better ? " (lower is better)" : ""));
  });
  const form = h("form", { id: "targets-form", novalidate: true },
    h("div", { class: "table-scroll" }, h("table", { class: "data" },
      h("caption", {}, "Each benchmark's floor (the least acceptable) and goal"),
      h("thead", {}, h("tr", {}, ["Benchmark", "Unit", "Floor", "Goal", "Default"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows))),
    error, done,
    h("div", { class: "buttons" }, h("button", { type: "submit", id: "targets-save" }, "Save targets")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = done.textContent = "";
    const changed = [];
    for (const [id, { t, floor, goal }] of inputs) {
      const f = Number(floor.value), g = Number(goal.value);
      if (floor.value === "" || goal.value === "" || !Number.isFinite(f) || !Number.isFinite(g)) {
        error.textContent = `${t.label}: the floor and the goal must be numbers.`;
        (floor.value === "" ? floor : goal).focus();
        return;
      }
      if (f !== t.floor || g !== t.goal) changed.push({ id, floor: f, goal: g });
    }
    if (!changed.length) { done.textContent = "Nothing changed."; return; }
    try {
      const r = await put("/api/adoption/targets", { targets: changed });
      for (const t of (r && r.targets) || []) if (inputs.has(t.id)) Object.assign(inputs.get(t.id).t, t);
      for (const c of changed) Object.assign(inputs.get(c.id).t, { floor: c.floor, goal: c.goal });
      done.textContent = `Saved ${changed.length} target${changed.length === 1 ? "" : "s"}.`;
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return h("section", { class: "card", id: "adoption-targets", "aria-labelledby": "adoption-targets-title" },
    h("h2", { id: "adoption-targets-title" }, "Floors and goals"), form);
}

function settingsCard(st) {
  const error = h("p", { class: "form-error", role: "alert", id: "settings-error" });
  const done = h("p", { class: "form-info", role: "status", id: "settings-saved" });
  const settling = field("Settling-in weeks after go-live (nobody is flagged before)", { type: "number", min: 0, step: 1, id: "settling-weeks", value: st.settling_weeks });
  const share = field("Share of peers that makes a feature \"used by most\" (%)", { type: "number", min: 1, max: 100, step: 1, id: "peer-share", value: st.peer_share_percent });
  const offset = field("The practice's offset from UTC in minutes (days end at local midnight)", { type: "number", step: 1, id: "utc-offset", value: st.utc_offset_minutes });
  const form = h("form", { id: "settings-form", novalidate: true }, settling.row, share.row, offset.row, error, done,
    h("div", { class: "buttons" }, h("button", { type: "submit", id: "settings-save" }, "Save settings")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.textContent = done.textContent = "";
    const body = {};
    for (const [key, f] of [["settling_weeks", settling], ["peer_share_percent", share], ["utc_offset_minutes", offset]]) {
      f.error.textContent = "";
      const v = Number(f.input.value);
      if (f.input.value === "" || !Number.isInteger(v)) {
        f.error.textContent = "A whole number is needed.";
        f.input.focus();
        return;
      }
      body[key] = v;
    }
    try {
      await put("/api/adoption/settings", body);
      done.textContent = "Settings saved.";
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return h("section", { class: "card", id: "adoption-settings", "aria-labelledby": "adoption-settings-title" },
    h("h2", { id: "adoption-settings-title" }, "Settings"), form);
}
