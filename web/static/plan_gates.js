// plan_gates.js - one stage's gates and actions (docs/rollout.md "Go-live,
// rollback and gates"):
//   - each check with its state in words and the data behind it
//     (GET /api/plan/stages/{id}/gates): earlier stages live, the plan
//     check, then the stage's own gates (a gate with no data blocks);
//   - the readiness checklist with a tick box per item (PUT / DELETE
//     …/checklist/{item}), showing who ticked it and when;
//   - "Go live" (a confirmation, then POST …/go-live; a refusal lists each
//     failed gate beside the stage), "Force go-live…" (plan:admin, a
//     reason) and, for a live stage, "Roll back…" (plan:admin, a reason).

import { get, post, put, del } from "./api.js";
import { h, show } from "./dom.js";
import { when, enc, errorSlot, textArea } from "./fmt.js";
import { ask, openModal } from "./modal.js";

const CHECK_NAMES = {
  earlier_stages: "Earlier stages live",
  lint: "Plan check",
  training_completion: "Training completion",
  proficiency: "Proficiency",
  interface_tests: "Interface tests",
  previous_benchmarks: "Previous stage's benchmarks",
  checklist: "Readiness checklist",
};
const STATE_WORDS = { passed: "Passed", failed: "Failed", no_data: "No data (blocks go-live)" };
const STATE_MARKS = { passed: "✓", failed: "✗", no_data: "?" };

const checkName = (gate) => CHECK_NAMES[gate] || gate;

function tickedText(item) {
  if (!item.ticked) return "Not ticked yet.";
  return `Ticked by ${item.ticked_by || "an account since removed"}, ${when(item.ticked_at)}.`;
}

// A dialog that asks for a reason before doing something that is
// audited with it; send(reason) does it, and its refusal shows in the
// dialog. Resolves true when done, false when cancelled.
function reasonDialog({ id, title, message, action, send }) {
  return new Promise((resolve) => {
    let m;
    const reason = textArea("Reason", { id: `${id}-reason`, maxlength: 500, rows: 3, required: true });
    reason.input.addEventListener("input", () => { if (reason.input.value.trim()) reason.error.textContent = ""; });
    const formError = errorSlot(`${id}-error`);
    const submit = h("button", { type: "submit", class: "danger" }, action);
    const cancel = h("button", { type: "button", class: "secondary", onclick: () => { m.close(); resolve(false); } }, "Cancel");
    const form = h("form", { novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      reason.error.textContent = formError.textContent = "";
      const why = reason.input.value.trim();
      if (!why) { reason.error.textContent = "Give the reason."; reason.input.focus(); return; }
      submit.disabled = true;
      try {
        await send(why);
        m.close();
        resolve(true);
      } catch (e) {
        formError.textContent = e.message;
        submit.disabled = false;
      }
    } }, reason.row, formError, h("div", { class: "buttons" }, submit, cancel));
    m = openModal({ id, title, onCancel: () => resolve(false),
      content: [h("p", { id: `${id}-message` }, message), form] });
    m.el.setAttribute("aria-describedby", `${id}-message`);
    reason.input.focus();
  });
}

export function stagePanel(ctx, s) {
  const app = ctx.app;
  const base = `/api/plan/stages/${enc(s.id)}`;
  const live = s.state === "live";
  const checks = h("div", { class: "gate-checks", id: `stage-${s.id}-checks` }, h("p", { class: "status" }, "Checking the gates…"));
  const checklist = h("div", { class: "checklist", id: `stage-${s.id}-checklist` });
  const gatesError = errorSlot(`stage-${s.id}-gates-error`);
  const failures = h("div", { class: "failures", id: `stage-${s.id}-failures`, tabindex: "-1", hidden: true });
  const actionError = errorSlot(`stage-${s.id}-action-error`);
  const modules = (s.modules || []).map((m) => ctx.title(m)).join(", ");
  const cohort = !s.cohort || s.cohort.kind === "everyone" ? "everyone" : "the stage's cohort";

  function checkItem(g) {
    const state = g.state || "failed";
    const d = g.data;
    return h("li", { class: `gate-check gate-${state}`, "data-gate": g.gate },
      h("span", { class: "gate-mark", "aria-hidden": "true" }, STATE_MARKS[state] || ""),
      h("strong", {}, checkName(g.gate), g.target_percent ? ` (target ${g.target_percent}%)` : "", ": "),
      h("span", { class: "gate-state" }, STATE_WORDS[state] || state), ". ",
      h("span", { class: "gate-message" }, g.message || ""),
      d && d.percent !== null && d.percent !== undefined
        ? h("span", { class: "gate-data" }, ` Measured: ${d.percent}%.`) : null);
  }

  function checklistItem(item) {
    const id = `tick-${s.id}-${item.id}`;
    const who = h("span", { class: "ticked-by", id: `${id}-who` }, tickedText(item));
    const err = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
    const box = h("input", { type: "checkbox", id, checked: item.ticked, disabled: !app.offers("tickChecklist"),
      "aria-describedby": `${id}-who ${id}-error`,
      onchange: async () => {
        const tick = box.checked;
        err.textContent = "";
        box.disabled = true;
        try {
          const path = `${base}/checklist/${enc(item.id)}`;
          const r = tick ? await put(path, {}) : await del(path);
          who.textContent = tickedText({ ...item, ...r, ticked: tick });
          loadGates(false);
        } catch (e) {
          box.checked = !tick;
          err.textContent = e.message;
        }
        box.disabled = false;
      } });
    return h("li", { class: "check-item", "data-item": item.id },
      h("div", { class: "check-row" }, box, h("label", { for: id }, item.text)), who, err);
  }

  // Reads the gates; withChecklist false leaves the tick boxes as they
  // are (after a tick, so focus stays on the box).
  async function loadGates(withChecklist = true) {
    gatesError.textContent = "";
    try {
      const r = await get(`${base}/gates`);
      if (!ctx.alive()) return;
      const gates = r.gates || [];
      const notPassed = gates.filter((g) => g.state !== "passed").length;
      show(checks,
        h("p", { class: "gate-summary" }, live ? "This stage is live; its gates as they stand now:"
          : notPassed ? `${notPassed} of ${gates.length} checks not passed: going live will be refused until they pass (or it is forced with a reason).`
          : "Every check passes: the stage can go live."),
        h("ul", { class: "gate-list", "aria-label": `Gates of ${s.name}` }, gates.map(checkItem)));
      const list = gates.find((g) => g.gate === "checklist");
      if (withChecklist)
        show(checklist, list && list.items && list.items.length
          ? h("fieldset", { class: "checklist-box" }, h("legend", {}, `Readiness checklist of ${s.name}`),
              h("ul", { class: "plain" }, list.items.map(checklistItem)))
          : null);
    } catch (e) {
      if (!ctx.alive()) return;
      show(checks);
      gatesError.textContent = e.message;
    }
  }

  function showFailures(e) {
    const list = (e.body && e.body.failures) || [];
    show(failures,
      h("p", { class: "failures-title" }, h("strong", {}, "Go-live refused. "), e.message),
      h("ul", {}, list.map((f) => h("li", { "data-gate": f.gate }, h("strong", {}, `${checkName(f.gate)}: `), f.message))));
    failures.hidden = false;
    failures.setAttribute("role", "alert");
    failures.focus();
  }

  async function done() {
    await ctx.reload(`stage-${s.id}-state`);
    app.refreshMe().catch(() => {});
  }

  async function goLive() {
    actionError.textContent = "";
    failures.hidden = true;
    const choice = await ask({ id: "golive-confirm", title: `Go live with ${s.name}?`,
      message: `${modules} will go live for ${cohort}. The gates are checked first; if one fails, nothing changes.`,
      choices: ["Go live"] });
    if (!choice) return;
    try {
      await post(`${base}/go-live`, {});
      await done();
    } catch (e) {
      if (e.code === "gates_failed") showFailures(e);
      else actionError.textContent = e.message;
    }
  }

  async function forceGoLive() {
    actionError.textContent = "";
    const ok = await reasonDialog({ id: "force-dialog", title: `Force the go-live of ${s.name}?`,
      message: `${modules} will go live for ${cohort} even though gates have not passed. The go-live is audited with your name and reason.`,
      action: "Force go-live",
      send: (reason) => post(`${base}/go-live`, { force: true, reason }) });
    if (ok) await done();
  }

  async function rollBack() {
    actionError.textContent = "";
    // Later stages stay live: say so, since they may lean on this one.
    const stages = (ctx.plan && ctx.plan.stages) || [];
    const later = stages.slice(stages.findIndex((x) => x.id === s.id) + 1).filter((x) => x.state === "live");
    const stays = later.length ? ` Later stages stay live: ${later.map((x) => x.name).join(", ")}.` : "";
    const ok = await reasonDialog({ id: "rollback-dialog", title: `Roll back ${s.name}?`,
      message: `${modules} will no longer be live for ${cohort}: every record stays readable, but new work in these modules is refused until the stage goes live again.${stays}`,
      action: "Roll back",
      send: (reason) => post(`${base}/rollback`, { reason }) });
    if (ok) await done();
  }

  const buttons = [
    !live && app.offers("goLive")
      ? h("button", { type: "button", class: "go-live", "aria-label": `Go live: ${s.name}`, onclick: goLive }, "Go live") : null,
    !live && app.offers("forceGoLive")
      ? h("button", { type: "button", class: "secondary force-go-live", "aria-label": `Force go-live: ${s.name}`, onclick: forceGoLive }, "Force go-live…") : null,
    live && app.offers("rollBack")
      ? h("button", { type: "button", class: "danger roll-back", "aria-label": `Roll back: ${s.name}`, onclick: rollBack }, "Roll back…") : null,
  ].filter(Boolean);

  loadGates();
  return h("div", { class: "stage-panel" },
    h("h4", {}, "Gate checks"), checks, gatesError, checklist,
    buttons.length ? h("div", { class: "buttons stage-actions" }, buttons) : null,
    failures, actionError);
}
