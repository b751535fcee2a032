// visit.js - one visit (GET /api/visits/{id}): the header, the SOAP note
// with templates and autosave, diagnosis and procedure coding, signing,
// addenda after signing, list reconciliation, and prescribing and ordering
// for this visit. The note saves itself 1.5 s after typing stops and when
// a section loses focus (PUT /api/visits/{id}/note with the version it
// was read at), so a second writer gets a conflict instead of silently
// overwriting; nothing is kept in the browser but the page itself.

import { get, put, post } from "./api.js";
import { h, show } from "./dom.js";
import { clock, when, who, enc, errorSlot, statusSlot, textArea, visitTypeText } from "./fmt.js";
import { combobox } from "./combobox.js";
import { ask } from "./modal.js";
import { prescribePanel } from "./prescribe.js";
import { ordersPanel } from "./orders.js";

const SAVE_DELAY_MS = 1500;
const SECTIONS = [["subjective", "Subjective"], ["objective", "Objective"],
                  ["assessment", "Assessment"], ["plan", "Plan"]];
const RECONCILE = [["medications", "Medications reviewed"], ["problems", "Problems reviewed"],
                   ["allergies", "Allergies reviewed"]];

export async function visitScreen(main, app, id) {
  show(main, h("p", { class: "status", role: "status" }, "Opening the visit…"));
  let v;
  try {
    v = await get(`/api/visits/${enc(id)}`);
  } catch (e) {
    show(main, h("section", { class: "card" },
      h("p", {}, h("a", { href: "#/schedule" }, "← Schedule")),
      h("p", { class: "form-error", role: "alert", id: "visit-error" }, e.message)));
    return;
  }
  const e = v.encounter || {};
  const patient = e.patient || {};
  const signed = !!(v.note && v.note.status === "signed");
  const reload = () => visitScreen(main, app, id);
  const note = signed || !app.offers("writeNote") ? readOnlyNote(app, v) : noteEditor(app, v, id, reload);

  show(main,
    h("section", { class: "card", "aria-labelledby": "visit-title" },
      h("p", {}, h("a", { href: `#/patients/${enc(patient.id || "")}` }, `← Chart of ${patient.name || "the patient"}`)),
      h("h1", { id: "visit-title" }, `Visit: ${patient.name || "(no name)"}`),
      h("dl", { class: "facts", id: "visit-facts" },
        [["Born", patient.birthDate || "—"], ["Visit type", visitTypeText(e.visit_type)], ["Reason", e.reason || "—"],
         ["Status", e.status || "—"], ["Started", when(e.start) || "—"], ["Clinician", who(e.clinician)]]
          .flatMap(([k, val]) => [h("dt", {}, k), h("dd", {}, val)]))),
    note.el,
    codingCard(app, v, id, signed),
    signed ? signedCard(app, v, id) : signCard(app, id, note, reload),
    app.offers("reconcile") ? reconcileCard(id) : null,
    app.offers("prescribe") && patient.id ? prescribePanel(app, patient.id, id) : null,
    app.offers("orders") && patient.id ? ordersPanel(app, patient.id, id) : null);
}

// ---- The note ---------------------------------------------------------------

function readOnlyNote(app, v) {
  const n = v.note;
  const el = h("section", { class: "card", id: "note", "aria-labelledby": "note-title" },
    h("h2", { id: "note-title" }, "Note"),
    !n ? h("p", { class: "status" }, "No note has been written.") :
      [n.status === "signed"
        ? h("p", { class: "signed", id: "note-signed" }, `Signed by ${who(n.signed_by)} at ${when(n.signed_at)}`)
        : h("p", { class: "status" }, `Draft by ${who(n.author)}, saved ${when(n.saved_at)}`),
       SECTIONS.map(([k, label]) => h("div", { class: "note-section" },
         h("h3", {}, label),
         h("p", { class: "note-text", id: `note-${k}` }, (n.sections && n.sections[k]) || "—")))]);
  return { el, flush: async () => true };
}

function noteEditor(app, v, visitId, reload) {
  const n = v.note || {};
  let version = v.note ? v.note.version : undefined;
  let template = n.template || "";
  let dirty = false, saving = null, again = false, timer = 0, stopped = false;
  const status = h("p", { class: "note-status", role: "status", id: "note-status" },
    v.note ? `Saved ${clock(n.saved_at)}` : "Not saved yet");
  const error = h("div", { class: "form-error", role: "alert", id: "note-error" });
  const areas = {};
  for (const [k, label] of SECTIONS) {
    const f = textArea(label, { id: `note-${k}`, name: k, maxlength: 20000, rows: 6 });
    f.input.value = (n.sections && n.sections[k]) || "";
    f.input.addEventListener("input", touched);
    f.input.addEventListener("blur", () => { if (dirty) save(); });
    areas[k] = f;
  }
  const templates = h("select", { id: "note-template" }, h("option", { value: "" }, "— Choose a template —"));
  const templateError = h("p", { class: "field-error", id: "note-template-error", "aria-live": "polite" });
  templates.setAttribute("aria-describedby", templateError.id);
  let list = [];
  (async () => {
    try {
      list = (await get("/api/note-templates")).templates || [];
      templates.append(...list.map((t) => h("option", { value: t.id, selected: t.id === template }, t.title)));
    } catch (e) {
      templateError.textContent = e.message;
    }
  })();
  templates.addEventListener("change", async () => {
    const t = list.find((x) => x.id === templates.value);
    if (!t) { templates.value = template; return; }
    const wanted = SECTIONS.map(([k]) => k).filter((k) => t.sections && t.sections[k]);
    const typed = wanted.filter((k) => areas[k].input.value.trim() && areas[k].input.value !== t.sections[k]);
    let replace = false;
    if (typed.length) {
      const choice = await ask({ id: "template-confirm", title: "Replace what you typed?",
        message: `The template "${t.title}" has text for ${typed.map((k) => SECTIONS.find((s) => s[0] === k)[1]).join(", ")}, which already ${typed.length === 1 ? "has" : "have"} your text.`,
        choices: ["Replace my text", "Fill only empty sections"] });
      if (choice === null) { templates.value = template; return; }
      replace = choice === "Replace my text";
    }
    for (const k of wanted)
      if (replace || !areas[k].input.value.trim()) areas[k].input.value = t.sections[k];
    template = t.id;
    touched();
    templates.focus();
  });

  function touched() {
    if (stopped) return;
    dirty = true;
    status.textContent = "Unsaved changes";
    clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  }

  // One save at a time; typing during a save saves again after it.
  async function save() {
    clearTimeout(timer);
    if (stopped || !dirty) return saving || true;
    if (saving) { again = true; return saving; }
    dirty = false;
    status.textContent = "Saving…";
    const body = { sections: Object.fromEntries(SECTIONS.map(([k]) => [k, areas[k].input.value])) };
    if (template) body.template = template;
    if (version !== undefined) body.version = version;
    saving = (async () => {
      try {
        const r = await put(`/api/visits/${enc(visitId)}/note`, body);
        version = r.version;
        status.textContent = `Saved ${clock(r.saved_at) || clock(new Date().toISOString())}`;
        show(error);
        return true;
      } catch (e) {
        if (e.code === "version_conflict" || e.code === "note_signed") {
          stopped = true;
          status.textContent = "Not saved";
          status.classList.add("conflict");
          show(error, h("p", {}, e.code === "note_signed"
            ? `Not saved: ${e.message} The note was signed elsewhere; reload to see it.`
            : `Not saved: ${e.message} Someone else changed this note since you opened it. Reload to see their version (copy your text first if you need it).`),
            h("button", { type: "button", id: "note-reload", onclick: reload }, "Reload the note"));
        } else {
          dirty = true;
          status.textContent = "Not saved";
          show(error, h("p", {}, `Not saved: ${e.message}`));
        }
        return false;
      } finally {
        saving = null;
      }
    })();
    const ok = await saving;
    if (again && !stopped) { again = false; return save(); }
    return ok;
  }

  // Leaving the screen (or signing out) saves what was typed first.
  app.leave = async () => {
    clearTimeout(timer);
    if (saving) await saving;
    if (dirty && !stopped) await save();
    stopped = true;
  };

  const el = h("section", { class: "card", id: "note", "aria-labelledby": "note-title" },
    h("h2", { id: "note-title" }, "Note"),
    h("div", { class: "row-inline" },
      h("div", { class: "field" }, h("label", { for: "note-template" }, "Template"), templates, templateError),
      status),
    h("div", { class: "soap" }, SECTIONS.map(([k]) => areas[k].row)),
    error);
  return { el, flush: save };
}

// ---- Coding -------------------------------------------------------------------

function codeSearch(system) {
  return async (q) => ((await get(`/api/codes?system=${system}&q=${enc(q)}`)).codes || [])
    .map((c) => ({ label: `${c.code} ${c.display}`, value: c.code, data: c }));
}

function codingCard(app, v, visitId, signed) {
  let diagnoses = (v.diagnoses || []).map((d) => ({ code: d.code, display: d.display }));
  let procedures = (v.procedures || []).map((p) => ({ code: p.code, display: p.display, modifiers: p.modifiers || [],
                                                      units: p.units || 1, diagnoses: p.diagnoses || [] }));
  const editable = !signed && app.offers("coding");
  const dxList = h("ol", { id: "diagnoses", class: "summary-list", "aria-label": "Diagnoses" });
  const pxList = h("div", { id: "procedures", "aria-label": "Procedures", role: "group" });
  const status = statusSlot("coding-status");
  const error = errorSlot("coding-error");

  function render() {
    show(dxList, diagnoses.length ? diagnoses.map((d, i) => h("li", {},
      h("span", {}, `${i + 1}. `, h("strong", {}, d.code), ` ${d.display || ""}`),
      editable ? h("button", { type: "button", class: "secondary", "aria-label": `Remove diagnosis ${d.code}`,
        onclick: () => { diagnoses.splice(i, 1); save(true); } }, "Remove") : null))
      : h("li", { class: "status" }, "No diagnosis yet."));
    show(pxList, procedures.length ? procedures.map((p, i) => procedureRow(p, i))
      : h("p", { class: "status" }, "No procedure yet."));
  }

  function procedureRow(p, i) {
    const title = h("span", { class: "px-title" }, h("strong", {}, p.code), ` ${p.display || ""}`);
    if (!editable)
      return h("div", { class: "px" }, title, h("span", { class: "meta" },
        ` · units ${p.units}${p.modifiers.length ? ` · modifiers ${p.modifiers.join(", ")}` : ""}` +
        `${p.diagnoses.length ? ` · diagnoses ${p.diagnoses.join(", ")}` : ""}`));
    const input = (label, key, value, attrs) => {
      const fid = `px-${i}-${key}`;
      const el = h("input", { id: fid, value, class: "small-input", ...attrs,
        onchange: () => {
          if (key === "units") p.units = Math.max(1, parseInt(el.value, 10) || 1);
          else if (key === "modifiers") p.modifiers = el.value.split(/[\s,]+/).filter(Boolean);
          else p.diagnoses = el.value.split(/[\s,]+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0);
          save(false);
        } });
      return h("div", { class: "field" }, h("label", { for: fid }, `${label} (${p.code})`), el);
    };
    return h("div", { class: "px card-inner" }, title,
      h("div", { class: "row-inline" },
        input("Units", "units", p.units, { inputmode: "numeric", maxlength: 3 }),
        input("Modifiers", "modifiers", p.modifiers.join(", "), { maxlength: 20 }),
        input("Diagnosis pointers", "pointers", p.diagnoses.join(", "), { maxlength: 20 }),
        h("button", { type: "button", class: "secondary", "aria-label": `Remove procedure ${p.code}`,
          onclick: () => { procedures.splice(i, 1); save(true); } }, "Remove")));
  }

  async function save(rerender) {
    error.textContent = "";
    status.textContent = "Saving coding…";
    if (rerender) render();
    try {
      const r = await put(`/api/visits/${enc(visitId)}/coding`, {
        diagnoses: diagnoses.map((d) => ({ code: d.code })),
        procedures: procedures.map((p) => ({ code: p.code, modifiers: p.modifiers, units: p.units, diagnoses: p.diagnoses })) });
      diagnoses = (r.diagnoses || []).map((d) => ({ code: d.code, display: d.display }));
      procedures = (r.procedures || []).map((p) => ({ code: p.code, display: p.display, modifiers: p.modifiers || [],
                                                     units: p.units || 1, diagnoses: p.diagnoses || [] }));
      status.textContent = `Coding saved ${clock(new Date().toISOString())}`;
      if (rerender) render();
      return true;
    } catch (e) {
      status.textContent = "";
      error.textContent = `Coding not saved: ${e.message}`;
      return false;
    }
  }

  const dx = editable ? combobox({ id: "dx-search", label: "Add a diagnosis (ICD-10-CM code or words)",
    search: codeSearch("icd10cm"), onPick: (it) => {
      if (diagnoses.some((d) => d.code === it.value)) { error.textContent = `${it.value} is already listed.`; return; }
      diagnoses.push({ code: it.value, display: it.data.display });
      save(true);
    } }) : null;
  const px = editable ? combobox({ id: "px-search", label: "Add a procedure (CPT code or words)",
    search: codeSearch("cpt"), onPick: (it) => {
      procedures.push({ code: it.value, display: it.data.display, modifiers: [], units: 1,
                        diagnoses: diagnoses.length ? [1] : [] });
      save(true);
    } }) : null;
  render();
  return h("section", { class: "card", id: "coding", "aria-labelledby": "coding-title" },
    h("h2", { id: "coding-title" }, "Diagnoses and procedures"),
    h("h3", {}, "Diagnoses"), dxList, dx && dx.row,
    h("h3", {}, "Procedures"), pxList, px && px.row,
    status, error);
}

// ---- Signing, charges, addenda ------------------------------------------------

function signCard(app, visitId, note, reload) {
  if (!app.offers("signNote")) return null;
  const error = errorSlot("sign-error");
  const button = h("button", { type: "button", id: "sign-note", onclick: async () => {
    error.textContent = "";
    const choice = await ask({ id: "sign-confirm", title: "Sign this note?",
      message: "A signed note can no longer be changed; later additions are addenda. The charges are created from the procedures.",
      choices: ["Sign"] });
    if (choice !== "Sign") return;
    button.disabled = true;
    if (!(await note.flush())) {
      error.textContent = "The note has changes that are not saved; they must be saved before signing.";
      button.disabled = false;
      return;
    }
    try {
      await post(`/api/visits/${enc(visitId)}/sign`, {});
      app.leave = null;
      await reload();
      const s = document.getElementById("note-signed");
      if (s) { s.setAttribute("tabindex", "-1"); s.focus(); }
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  } }, "Sign note");
  return h("section", { class: "card", id: "sign", "aria-labelledby": "sign-title" },
    h("h2", { id: "sign-title" }, "Sign"), button, error);
}

function signedCard(app, v, visitId) {
  const addenda = h("ul", { class: "summary-list", id: "addenda", "aria-label": "Addenda" });
  const addendumRow = (a) => h("li", {}, h("span", { class: "addendum-text note-text" }, a.text),
    h("span", { class: "meta" }, `${who(a.author)} · ${when(a.at)}`));
  show(addenda, (v.addenda || []).map(addendumRow));
  const text = textArea("Addendum", { id: "addendum-text", maxlength: 20000, rows: 3 });
  const error = errorSlot("addendum-error");
  const submit = h("button", { type: "submit" }, "Add addendum");
  const form = app.offers("writeNote") ? h("form", { id: "addendum-form", novalidate: true, "aria-label": "Add an addendum",
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const t = text.input.value.trim();
      if (!t) { text.error.textContent = "Write the addendum first."; return; }
      text.error.textContent = "";
      submit.disabled = true;
      try {
        const r = await post(`/api/visits/${enc(visitId)}/addenda`, { text: t });
        addenda.append(addendumRow({ text: t, author: r.author, at: r.at }));
        text.input.value = "";
      } catch (e) {
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    } }, text.row, error, submit) : null;
  const charges = app.offers("charges") ? h("div", { id: "charges" },
    h("h3", {}, "Charges"),
    (v.charges || []).length
      ? h("ul", { class: "summary-list" }, v.charges.map((c) => h("li", {}, h("span", {}, c.code), h("span", { class: "meta" }, `units ${c.units}`))))
      : h("p", { class: "status" }, "No charges.")) : null;
  return h("section", { class: "card", id: "signed", "aria-labelledby": "signed-title" },
    h("h2", { id: "signed-title" }, "Signed note"), charges,
    h("h3", {}, "Addenda"), addenda, form);
}

// ---- Reconciliation -------------------------------------------------------------

function reconcileCard(visitId) {
  const error = errorSlot("reconcile-error");
  const rows = {};
  const statusOf = (r) => r ? `Reviewed ${when(r.at)} by ${who(r.by)}` : "Not reviewed at this visit";
  for (const [list, label] of RECONCILE) {
    const status = h("span", { class: "meta", id: `reconciled-${list}` }, "…");
    const button = h("button", { type: "button", class: "secondary", id: `reconcile-${list}`,
      "aria-describedby": status.id, onclick: async () => {
        error.textContent = "";
        button.disabled = true;
        try {
          await post(`/api/visits/${enc(visitId)}/reconcile`, { list });
          await load();
        } catch (e) {
          error.textContent = `${label}: ${e.message}`;
        } finally {
          button.disabled = false;
        }
      } }, label);
    rows[list] = { button, status };
  }
  async function load() {
    try {
      const r = await get(`/api/visits/${enc(visitId)}/reconciliation`);
      for (const [list] of RECONCILE) rows[list].status.textContent = statusOf(r[list]);
    } catch (e) {
      error.textContent = e.message;
      for (const [list] of RECONCILE) rows[list].status.textContent = "";
    }
  }
  load();
  return h("section", { class: "card", id: "reconciliation", "aria-labelledby": "reconcile-title" },
    h("h2", { id: "reconcile-title" }, "Reconciliation"),
    h("ul", { class: "summary-list" }, RECONCILE.map(([list]) => h("li", {}, rows[list].button, rows[list].status))),
    error);
}
