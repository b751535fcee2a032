// plan_overrides.js - per-user overrides (plan:admin; GET / PUT / DELETE
// /api/plan/overrides/{username}): someone who needs modules live before
// their stage (a locum who needs everything on day one) — every module or
// chosen ones, with the reason, which the server audits. A change tells
// the "Who has what live" table (ctx.liveChanged).

import { get, put, del } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, enc, errorSlot, textArea } from "./fmt.js";
import { ask } from "./modal.js";

export function overridesCard(ctx) {
  const list = h("div", { id: "overrides-list" }, h("p", { class: "status" }, "Loading the overrides…"));
  const error = errorSlot("overrides-error");

  const modulesText = (mods) => (mods || []).includes("*") ? "Every module"
    : (mods || []).map((m) => ctx.title(m)).join(", ");

  function table(rows) {
    if (!rows.length) return h("p", { class: "status", id: "overrides-none" }, "No overrides: everyone follows the plan.");
    return h("table", { class: "data", id: "overrides-table" },
      h("caption", { class: "sr-only" }, "Overrides"),
      h("thead", {}, h("tr", {}, ["Person", "Modules live for them", "Reason", "Since", "Remove"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((o) => {
        const rowError = h("span", { class: "form-error", role: "alert" });
        const remove = h("button", { type: "button", class: "secondary", "aria-label": `Remove the override of ${o.username}`,
          onclick: async () => {
            rowError.textContent = "";
            const ok = await ask({ id: "override-remove-confirm", title: `Remove the override of ${o.username}?`,
              message: `${o.username} will have modules live only as the plan says.`, choices: ["Remove"] });
            if (!ok) return;
            try {
              await del(`/api/plan/overrides/${enc(o.username)}`);
              ctx.liveChanged();
              await load();
              document.getElementById("override-username").focus();
            } catch (e) {
              rowError.textContent = e.message;
            }
          } }, "Remove");
        return h("tr", { "data-user": o.username },
          h("td", {}, o.username), h("td", {}, modulesText(o.modules)), h("td", {}, o.reason || "—"),
          h("td", {}, when(o.set_at)), h("td", {}, remove, rowError));
      })));
  }

  function addForm() {
    const user = field("Username", { id: "override-username", autocomplete: "off", maxlength: 64 });
    const everyId = "override-every", someId = "override-some";
    const every = h("input", { type: "radio", name: "override-scope", id: everyId, value: "every", checked: true });
    const some = h("input", { type: "radio", name: "override-scope", id: someId, value: "some" });
    const boxes = ctx.modules.map((m) => h("input", { type: "checkbox", id: `override-module-${m.id}`, value: m.id }));
    const modsError = h("p", { class: "field-error", id: "override-modules-error", "aria-live": "polite" });
    const picks = h("fieldset", { class: "override-modules", id: "override-picks", disabled: true, "aria-describedby": modsError.id },
      h("legend", {}, "Modules"),
      h("div", { class: "module-picks" }, boxes.map((b, i) => h("div", { class: "choice" }, b,
        h("label", { for: b.id }, ctx.modules[i].title)))));
    const sync = () => { picks.disabled = !some.checked; };
    every.addEventListener("change", sync);
    some.addEventListener("change", sync);
    const reason = textArea("Reason", { id: "override-reason", maxlength: 500, rows: 2 });
    const formError = errorSlot("override-form-error");
    const submit = h("button", { type: "submit" }, "Add override");
    return h("form", { id: "override-form", novalidate: true, "aria-labelledby": "override-form-title",
      onsubmit: async (ev) => {
        ev.preventDefault();
        user.error.textContent = modsError.textContent = reason.error.textContent = formError.textContent = "";
        const username = user.input.value.trim();
        const modules = every.checked ? ["*"] : boxes.filter((b) => b.checked).map((b) => b.value);
        const why = reason.input.value.trim();
        if (!username) user.error.textContent = "Enter the username.";
        if (!modules.length) modsError.textContent = "Choose at least one module, or every module.";
        if (!why) reason.error.textContent = "Give the reason.";
        const bad = !username ? user.input : !modules.length ? boxes[0] : !why ? reason.input : null;
        if (bad) { bad.focus(); return; }
        submit.disabled = true;
        try {
          await put(`/api/plan/overrides/${enc(username)}`, { modules, reason: why });
          ctx.liveChanged();
          await load();
          user.input.value = reason.input.value = "";
          user.input.focus();
        } catch (e) {
          formError.textContent = e.message;
        }
        submit.disabled = false;
      } },
      h("h3", { id: "override-form-title" }, "Add or replace an override"),
      user.row,
      h("fieldset", { class: "choices" }, h("legend", {}, "Which modules"),
        h("div", { class: "choice" }, every, h("label", { for: everyId }, "Every module")),
        h("div", { class: "choice" }, some, h("label", { for: someId }, "Chosen modules")),
        picks, modsError),
      reason.row, formError, h("div", { class: "buttons" }, submit));
  }

  async function load() {
    error.textContent = "";
    try {
      const r = await get("/api/plan/overrides");
      if (!ctx.alive()) return;
      show(list, table(r.overrides || []));
    } catch (e) {
      show(list);
      error.textContent = e.message;
    }
  }

  load();
  return h("section", { class: "card", id: "overrides", "aria-labelledby": "overrides-title" },
    h("h2", { id: "overrides-title" }, "Overrides"),
    h("p", {}, "Modules live for one person whatever the plan says, for example a locum who needs everything on day one."),
    list, error, addForm());
}
