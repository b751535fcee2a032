// training.js - the training home (#/training): the signed-in user's
// courses (GET /api/training/courses: their roles' variants) with
// progress, the next exercise and, for each exercise not done, the one
// sentence of what the checker did not find; "Start course" (which also
// creates the trainee's practice patients in the training store), "Check
// my work" (the server's checkers read the training store: nothing here
// is self-reported), the timed proficiency check, and the assignments
// made to the user, and the help requests sent and received
// (superusers.js). The records live in production, so the screen reads
// the same on both mounts; the exercises themselves are done in training.

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { when } from "./fmt.js";
import { inTraining, TRAINING_PREFIX } from "./env.js";
import { helpRequestsCard } from "./superusers.js";

const enc = encodeURIComponent;

export function trainingScreen(main, app) {
  const status = h("p", { class: "status", role: "status", id: "training-status" }, "Loading your courses…");
  const error = h("p", { class: "form-error", role: "alert", id: "training-error" });
  const list = h("div", { id: "training-courses" });
  const assignments = h("section", { class: "card", id: "training-assignments", "aria-labelledby": "assignments-title" });
  const where = inTraining ? null : h("p", { class: "note", id: "training-where" },
    "Exercises are done in the training environment, on your own practice patients. ",
    h("a", { href: `${TRAINING_PREFIX}/#/training` }, "Go to training"));
  const lead = app.can("plan:read")
    ? h("p", {}, h("a", { href: "#/training-progress", id: "open-training-progress" }, "Training progress of every stage")) : null;
  const root = h("div", { class: "training", id: "training" },
    h("h1", { id: "training-title" }, "Training"), where, lead, status, error, list, assignments, helpRequestsCard());
  show(main, root);
  const alive = () => root.isConnected;
  // Proficiency checks started from this screen (the answer may not say).
  const started = new Set();

  async function load() {
    try {
      const r = await get("/api/training/courses");
      const courses = Array.isArray(r && r.courses) ? r.courses : [];
      // Each course's detail carries the checkers' "missing" sentences.
      const details = await Promise.all(courses.map((c) =>
        get(`/api/training/courses/${enc(c.id)}`).catch(() => c)));
      if (!alive()) return;
      status.textContent = courses.length
        ? `${courses.filter((c) => c.completed_at).length} of ${courses.length} courses completed.`
        : "There are no courses for your role.";
      show(list, details.map((c) => courseCard(c)));
    } catch (e) {
      if (!alive()) return;
      status.textContent = "";
      error.textContent = e.message;
    }
    loadAssignments();
  }

  async function loadAssignments() {
    try {
      const r = await get("/api/training/assignments");
      if (!alive()) return;
      const rows = Array.isArray(r && r.assignments) ? r.assignments : [];
      show(assignments, h("h2", { id: "assignments-title" }, "Assigned to me"),
        rows.length ? h("ul", { class: "assignment-list" }, rows.map((a) => h("li", {
          class: a.done_at ? "assignment-done" : "", "data-assignment": a.assignment_id || a.id },
          h("strong", {}, a.course_title || a.course || a.course_id),
          a.exercise || a.exercise_id ? ` — exercise ${a.exercise_title || a.exercise || a.exercise_id}` : "",
          a.due || a.due_date ? ` · due ${a.due || a.due_date}` : "",
          a.reason ? ` · ${a.reason}` : "",
          a.assigned_by ? ` · from ${a.assigned_by}` : "",
          a.done_at ? ` · done ${when(a.done_at)}` : "")))
          : h("p", { id: "assignments-none" }, "Nothing is assigned to you."));
    } catch (e) {
      if (!alive()) return;
      show(assignments, h("h2", { id: "assignments-title" }, "Assigned to me"),
        h("p", { class: "form-error", role: "alert" }, e.message));
    }
  }

  function courseCard(c) {
    const card = h("section", { class: "card course", id: `course-${c.id}`, "data-course": c.id,
      "aria-labelledby": `course-${c.id}-title` });
    drawCourse(card, c);
    return card;
  }

  function drawCourse(card, c) {
    const exercises = Array.isArray(c.exercises) ? c.exercises : [];
    const done = exercises.filter((x) => x.done).length;
    const next = exercises.find((x) => !x.done);
    const note = h("p", { class: "form-error", role: "alert", id: `course-${c.id}-error` });
    const busy = (fn) => async (ev) => {
      const b = ev.currentTarget;
      b.disabled = true;
      note.textContent = "";
      try { await fn(); } catch (e) { note.textContent = e.message; b.disabled = false; }
    };
    const act = async (path, body, focusId) => {
      const r = await post(`/api/training/courses/${enc(c.id)}/${path}`, body);
      // The answer is the course; reading it again keeps "missing" current.
      const fresh = await get(`/api/training/courses/${enc(c.id)}`).catch(() => r && r.id ? r : c);
      if (!card.isConnected) return;
      drawCourse(card, fresh);
      const f = focusId && document.getElementById(focusId);
      if (f) f.focus();
      loadAssignments();
    };
    const state = c.completed_at ? `Completed ${when(c.completed_at)}`
      : c.started_at ? `Started ${when(c.started_at)}` : "Not started";
    show(card,
      h("h2", { id: `course-${c.id}-title` }, c.title || c.id),
      h("p", { class: "course-state" },
        h("span", { class: "course-progress", id: `course-${c.id}-progress` }, `${done} of ${exercises.length} exercises done`),
        ` · ${state}`),
      next && c.started_at ? h("p", { class: "course-next", id: `course-${c.id}-next` }, `Next: ${next.title || next.id}`) : null,
      h("ol", { class: "exercises" }, exercises.map((x) => h("li", {
        class: x.done ? "exercise exercise-done" : "exercise", "data-exercise": x.id },
        h("span", { class: "exercise-mark", "aria-hidden": "true" }, x.done ? "✓" : "○"),
        h("span", { class: "exercise-title" }, x.title || x.id),
        h("span", { class: "sr-only" }, x.done ? " (done)" : " (not done)"),
        !x.done && x.missing && c.started_at ? h("span", { class: "exercise-missing" }, x.missing) : null))),
      h("div", { class: "buttons" },
        c.started_at ? null : h("button", { type: "button", id: `course-${c.id}-start`,
          onclick: busy(() => act("start", {}, `course-${c.id}-check`)) }, `Start course: ${c.title || c.id}`),
        c.started_at ? h("button", { type: "button", id: `course-${c.id}-check`,
          onclick: busy(() => act("check", {}, `course-${c.id}-check`)) }, "Check my work") : null),
      proficiency(c, busy, act),
      note);
  }

  // The timed scenario: the limit is said before it starts; once started,
  // "Finish" scores what the training store shows.
  function proficiency(c, busy, act) {
    const p = c.proficiency || null;
    const limit = c.time_limit_minutes || (p && p.time_limit_minutes) || null;
    const mark = c.pass_mark || (p && p.pass_mark) || 80;
    const running = Boolean((p && p.started_at && !p.at) || started.has(c.id));
    const result = p && p.at && p.score !== undefined && p.score !== null && p.score >= 0
      ? `${p.passed ? "Passed" : "Not passed"}: ${p.score}% on ${when(p.at)}` : null;
    return h("div", { class: "proficiency", id: `course-${c.id}-proficiency` },
      h("h3", {}, "Proficiency check"),
      h("p", {}, `A timed scenario${limit ? ` of ${limit} minutes` : ""}; the pass mark is ${mark}%.`),
      result ? h("p", { class: p.passed ? "prof-passed" : "prof-failed", id: `course-${c.id}-prof-result` }, result) : null,
      h("div", { class: "buttons" },
        h("button", { type: "button", class: "secondary", id: `course-${c.id}-prof-start`, disabled: !c.started_at || running,
          onclick: busy(async () => { started.add(c.id); try { await act("proficiency", { action: "start" }, `course-${c.id}-prof-finish`); } catch (e) { started.delete(c.id); throw e; } }) }, "Start the proficiency check"),
        h("button", { type: "button", class: "secondary", id: `course-${c.id}-prof-finish`, disabled: !running,
          onclick: busy(() => { started.delete(c.id); return act("proficiency", { action: "finish" }, `course-${c.id}-prof-start`); }) }, "Finish the proficiency check")));
  }

  load();
}
