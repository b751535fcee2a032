// chart.js - a patient's chart: the demographics header (with "Edit
// details" for users who may change demographics, patient_edit.js), the
// allergy banner, and tabs. The Summary tab is what a clinician scans first
// (active problems, active medications, recent vitals with their trend,
// recent visits, immunizations and results) with recording allergies and
// vital signs for users allowed to chart; each section is its own FHIR
// search, loaded side by side, and a section the user's role may not see
// says so in its place (the server's sentence). The other tabs
// (Medications, Problems, Allergies, Immunizations, Orders, Visits) are
// offered by module and permission (modules.js) and load when opened; a
// change on the Allergies tab reloads the allergy banner.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { nameOf, mrnOf, phoneOf, addressOf } from "./patient.js";
import { editDetails } from "./patient_edit.js";
import { trendCard } from "./trend.js";
import { medicationsTab } from "./medications.js";
import { problemsTab, immunizationsTab } from "./problems.js";
import { allergiesTab } from "./allergies.js";
import { ordersPanel } from "./orders.js";
import { visitsTab } from "./visits.js";

// The text a person reads for a CodeableConcept.
export function conceptText(cc) {
  if (!cc) return "—";
  if (cc.text) return cc.text;
  const c = (cc.coding || []).find((x) => x.display) || (cc.coding || [])[0];
  return c ? c.display || c.code : "—";
}

function day(v) {
  return typeof v === "string" ? v.slice(0, 10) : "";
}

function valueText(o) {
  if (o.valueQuantity) {
    const q = o.valueQuantity;
    return `${q.value}${q.unit ? ` ${q.unit}` : ""}`;
  }
  if (o.component && o.component.length) {
    return o.component.map((c) => `${conceptText(c.code).replace(/ blood pressure$/i, "")}: ${
      c.valueQuantity ? `${c.valueQuantity.value} ${c.valueQuantity.unit || ""}`.trim() : "—"}`).join(", ");
  }
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  if (o.valueString !== undefined) return o.valueString;
  return "—";
}

// Active as src/clinical/allergies.c reads it: clinicalStatus active or
// absent, and not refuted or entered in error.
function isActive(a) {
  const code = (cc) => cc && cc.coding && cc.coding[0] && cc.coding[0].code;
  const clinical = code(a.clinicalStatus), verified = code(a.verificationStatus);
  if (verified === "refuted" || verified === "entered-in-error") return false;
  return !clinical || clinical === "active";
}

// No-known-allergy codes (SNOMED CT): a recorded "none", not a gap.
const NO_KNOWN_ALLERGY = new Set(["716186003", "409137002", "428607008", "429625007"]);

function allergyBanner(list) {
  if (!list.length)
    return h("p", { class: "allergy-banner allergy-unknown", id: "allergy-banner" }, "Allergies: none recorded");
  const real = list.filter((a) => !(a.code && (a.code.coding || []).some((c) => NO_KNOWN_ALLERGY.has(c.code))));
  if (!real.length)
    return h("p", { class: "allergy-banner allergy-none", id: "allergy-banner" }, "Allergies: no known allergies");
  const high = real.some((a) => a.criticality === "high");
  return h("p", { class: `allergy-banner ${high ? "allergy-high" : "allergy-some"}`, id: "allergy-banner",
                  role: "note" },
    "Allergies: ",
    real.map((a, i) => [i ? "; " : "", h("strong", {}, conceptText(a.code)),
                        a.criticality ? ` (${a.criticality} criticality)` : "",
                        a.reaction && a.reaction[0] && a.reaction[0].manifestation
                          ? ` — ${a.reaction[0].manifestation.map(conceptText).join(", ")}` : ""]));
}

const sections = [
  { id: "problems", title: "Active problems",
    query: (p) => `/fhir/Condition?patient=${p}&clinical-status=active&_count=50`,
    row: (c) => [conceptText(c.code), day(c.onsetDateTime || c.recordedDate)] },
  { id: "medications", title: "Active medications",
    query: (p) => `/fhir/MedicationRequest?patient=${p}&status=active&_count=50`,
    row: (m) => [conceptText(m.medicationCodeableConcept) + (m.dosageInstruction && m.dosageInstruction[0] && m.dosageInstruction[0].text
                   ? ` — ${m.dosageInstruction[0].text}` : ""), day(m.authoredOn)] },
  { id: "vitals", title: "Recent vital signs",
    query: (p) => `/fhir/Observation?patient=${p}&category=vital-signs&_sort=-date&_count=12`,
    row: (o) => [`${conceptText(o.code)}: ${valueText(o)}`, day(o.effectiveDateTime)] },
  { id: "visits", title: "Recent visits",
    query: (p) => `/fhir/Encounter?patient=${p}&_sort=-date&_count=5`,
    row: (e) => [conceptText((e.type || [])[0]) || conceptText(e.class && { coding: [e.class] }),
                 day(e.period && e.period.start)] },
  { id: "immunizations", title: "Immunizations",
    query: (p) => `/fhir/Immunization?patient=${p}&_sort=-date&_count=8`,
    row: (i) => [`${conceptText(i.vaccineCode)}${i.status && i.status !== "completed" ? ` (${i.status})` : ""}`,
                 day(i.occurrenceDateTime)] },
  { id: "results", title: "Recent results",
    query: (p) => `/fhir/DiagnosticReport?patient=${p}&_sort=-date&_count=5`,
    row: (r) => [`${conceptText(r.code)} (${r.status})`, day(r.effectiveDateTime || r.issued)] },
];

async function loadSection(s, pid) {
  const body = h("div", { class: "section-body" }, h("p", { class: "status" }, "Loading…"));
  const box = h("section", { class: "card summary", id: `section-${s.id}`, "aria-labelledby": `title-${s.id}` },
    h("h2", { id: `title-${s.id}` }, s.title), body);
  (async () => {
    try {
      const bundle = await get(s.query(encodeURIComponent(pid)));
      const items = (bundle.entry || []).filter((e) => !e.search || e.search.mode !== "outcome").map((e) => e.resource);
      if (!items.length) {
        show(body, h("p", { class: "status" }, "None recorded."));
        return;
      }
      show(body, h("ul", { class: "summary-list" },
        items.map((r) => { const [text, when] = s.row(r); return h("li", {}, h("span", {}, text), h("span", { class: "meta" }, when)); })));
    } catch (e) {
      show(body, h("p", { class: "form-error", role: "alert" }, e.message));
    }
  })();
  return box;
}

export async function chartScreen(main, app, id) {
  show(main, h("p", { class: "status", role: "status" }, "Opening the chart…"));
  let p;
  try {
    p = await get(`/fhir/Patient/${encodeURIComponent(id)}`);
  } catch (e) {
    show(main,
      h("section", { class: "card" },
        h("p", {}, h("a", { href: "#/patients" }, "← Back to patients")),
        h("p", { class: "form-error", role: "alert" }, e.message)));
    return;
  }
  const title = h("h1", { id: "chart-title" });
  const facts = h("dl", { class: "facts" });
  const header = (q) => {             // again after "Edit details" saves
    title.textContent = nameOf(q);
    show(facts, [["Birth date", q.birthDate], ["Sex", q.gender], ["MRN", mrnOf(q)], ["Phone", phoneOf(q)],
                 ["Address", addressOf(q)]].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")]));
  };
  header(p);
  const banner = h("div", { id: "allergy-slot" }, h("p", { class: "status" }, "Loading allergies…"));
  const withTrend = app.offers("vitals");
  const summary = [
    h("div", { class: "summary-grid", id: "summary" }, await Promise.all(sections.map((s) => loadSection(s, p.id)))),
    withTrend ? trendCard(p.id) : null,
    app.can("clinical:write") ? allergyForm(p.id, () => loadBanner(banner, p.id)) : null,
    app.can("clinical:write") ? vitalsForm(p.id, async () => {
      const vitals = sections.find((s) => s.id === "vitals");
      document.getElementById("section-vitals").replaceWith(await loadSection(vitals, p.id));
      const trend = document.getElementById("vitals-trend");
      if (trend) trend.replaceWith(trendCard(p.id));
    }) : null];
  const tabs = [
    ["summary", "Summary", () => summary],
    app.offers("medications") ? ["medications", "Medications", () => medicationsTab(app, p.id)] : null,
    app.offers("problems") ? ["problems", "Problems", () => problemsTab(app, p.id)] : null,
    app.offers("allergies") ? ["allergies", "Allergies", () => allergiesTab(app, p.id, () => loadBanner(banner, p.id))] : null,
    app.offers("immunizations") ? ["immunizations", "Immunizations", () => immunizationsTab(app, p.id)] : null,
    app.offers("orders") ? ["orders", "Orders", () => ordersPanel(app, p.id, null)] : null,
    app.offers("visits") ? ["visits", "Visits", () => visitsTab(app, p.id)] : null,
  ].filter(Boolean);
  show(main,
    h("section", { class: "card chart", "aria-labelledby": "chart-title" },
      h("p", {}, h("a", { href: "#/patients" }, "← Back to patients")),
      title, facts,
      app.offers("editPatient") ? editDetails(p, header) : null,
      banner),
    tabbed(tabs));
  await loadBanner(banner, p.id);
}

// The ARIA tabs pattern: arrow keys, Home and End move between tabs (and
// open them); each panel is built when its tab opens, so it shows fresh
// data.
function tabbed(tabs) {
  if (tabs.length === 1) return tabs[0][2]();
  const buttons = tabs.map(([id, label]) => h("button", { type: "button", role: "tab", id: `tab-${id}`,
    "aria-controls": `panel-${id}`, "aria-selected": "false", tabindex: "-1", class: "tab" }, label));
  const panels = tabs.map(([id]) => h("div", { role: "tabpanel", id: `panel-${id}`, "aria-labelledby": `tab-${id}`, hidden: true }));
  let built = [];
  function select(i, focus) {
    buttons.forEach((b, j) => {
      b.setAttribute("aria-selected", String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    if (i === 0 ? !built[0] : true) { show(panels[i], tabs[i][2]()); built[i] = true; }
    if (focus) buttons[i].focus();
  }
  buttons.forEach((b, i) => {
    b.addEventListener("click", () => select(i, false));
    b.addEventListener("keydown", (ev) => {
      const n = buttons.length;
      const to = { ArrowRight: (i + 1) % n, ArrowLeft: (i - 1 + n) % n, Home: 0, End: n - 1 }[ev.key];
      if (to !== undefined) { ev.preventDefault(); select(to, true); }
    });
  });
  const el = h("div", { class: "chart-tabs" }, h("div", { role: "tablist", class: "tabs", "aria-label": "Chart" }, buttons), panels);
  select(0, false);
  return el;
}

async function loadBanner(slot, pid) {
  try {
    const b = await get(`/fhir/AllergyIntolerance?patient=${encodeURIComponent(pid)}&_count=100`);
    show(slot, allergyBanner((b.entry || []).filter((e) => !e.search || e.search.mode !== "outcome")
      .map((e) => e.resource).filter(isActive)));
  } catch (e) {
    show(slot, h("p", { class: "form-error", role: "alert" }, e.message));
  }
}

// ---- Recording vital signs ------------------------------------------------

const SMOKING = [
  ["", "—"], ["never", "Never smoked"], ["former", "Former smoker"],
  ["current_every_day", "Smokes every day"], ["current_some_day", "Smokes some days"],
  ["current_unknown", "Smoker, how often unknown"], ["unknown", "Unknown"],
];

// The form under the summary; on success the vitals section reloads.
export function vitalsForm(pid, onSaved) {
  const f = {
    height_cm: field("Height (cm)", { name: "height_cm", inputmode: "decimal", maxlength: 6 }),
    weight_kg: field("Weight (kg)", { name: "weight_kg", inputmode: "decimal", maxlength: 6 }),
    systolic: field("Systolic (mmHg)", { name: "systolic", inputmode: "numeric", maxlength: 3 }),
    diastolic: field("Diastolic (mmHg)", { name: "diastolic", inputmode: "numeric", maxlength: 3 }),
    heart_rate: field("Heart rate (/min)", { name: "heart_rate", inputmode: "numeric", maxlength: 3 }),
    respiratory_rate: field("Respiratory rate (/min)", { name: "respiratory_rate", inputmode: "numeric", maxlength: 3 }),
    temperature_c: field("Temperature (°C)", { name: "temperature_c", inputmode: "decimal", maxlength: 5 }),
    spo2: field("SpO₂ (%)", { name: "spo2", inputmode: "numeric", maxlength: 3 }),
  };
  const smoking = h("select", { id: "vitals-smoking", name: "smoking_status" },
    SMOKING.map(([v, t]) => h("option", { value: v }, t)));
  const error = h("p", { class: "form-error", role: "alert", id: "vitals-error" });
  const saved = h("p", { class: "form-info", role: "status", id: "vitals-saved" });
  const submit = h("button", { type: "submit" }, "Save vital signs");
  const form = h("form", { class: "card", id: "vitals-form", "aria-labelledby": "vitals-title", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      saved.textContent = "";
      const body = {};
      for (const [name, { input, error: fe }] of Object.entries(f)) {
        fe.textContent = "";
        const t = input.value.trim();
        if (!t) continue;
        const n = Number(t);
        if (!Number.isFinite(n)) { fe.textContent = "Enter a number."; return; }
        body[name] = n;
      }
      if (smoking.value) body.smoking_status = smoking.value;
      submit.disabled = true;
      try {
        const r = await post(`/api/patients/${encodeURIComponent(pid)}/vitals`, body);
        saved.textContent = `Saved${r.bmi !== null ? `; BMI ${r.bmi}` : ""}.`;
        for (const { input } of Object.values(f)) input.value = "";
        smoking.value = "";
        onSaved();
      } catch (e) {
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    } },
    h("h2", { id: "vitals-title" }, "Record vital signs"),
    h("div", { class: "vitals-grid" }, Object.values(f).map((x) => x.row),
      h("div", { class: "field" }, h("label", { for: "vitals-smoking" }, "Smoking status"), smoking)),
    error, saved, submit);
  return form;
}

// ---- Recording allergies -------------------------------------------------

function select(id, name, options) {
  return h("select", { id, name }, options.map(([v, t]) => h("option", { value: v }, t)));
}

// An allergy, or "no known allergies"; the server keeps the list
// consistent and says why when it refuses (docs/workflows.md).
export function allergyForm(pid, onSaved) {
  const substance = field("Substance", { name: "substance", maxlength: 200, autocomplete: "off" });
  const reaction = field("Reaction", { name: "reaction", maxlength: 200, autocomplete: "off" });
  const category = select("allergy-category", "category", [["", "—"], ["medication", "Medication"],
    ["food", "Food"], ["environment", "Environment"], ["biologic", "Biologic"]]);
  const criticality = select("allergy-criticality", "criticality", [["", "—"], ["low", "Low"],
    ["high", "High"], ["unable-to-assess", "Unable to assess"]]);
  const severity = select("allergy-severity", "severity", [["", "—"], ["mild", "Mild"],
    ["moderate", "Moderate"], ["severe", "Severe"]]);
  const error = h("p", { class: "form-error", role: "alert", id: "allergy-error" });
  const saved = h("p", { class: "form-info", role: "status", id: "allergy-saved" });
  const url = `/api/patients/${encodeURIComponent(pid)}/allergies`;

  async function send(body, button) {
    error.textContent = "";
    saved.textContent = "";
    button.disabled = true;
    try {
      const r = await post(url, body);
      saved.textContent = r.unchanged ? "Already recorded." : "Saved.";
      substance.input.value = reaction.input.value = "";
      category.value = criticality.value = severity.value = "";
      onSaved();
    } catch (e) {
      error.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  }

  const submit = h("button", { type: "submit" }, "Record allergy");
  const none = h("button", { type: "button", class: "secondary", onclick: () =>
    send({ no_known_allergies: true }, none) }, "No known allergies");
  return h("form", { class: "card", id: "allergy-form", "aria-labelledby": "allergy-title", novalidate: true,
    onsubmit: (ev) => {
      ev.preventDefault();
      substance.error.textContent = substance.input.value.trim() ? "" : "Enter the substance.";
      if (substance.error.textContent) return;
      const body = { substance: { text: substance.input.value.trim() } };
      if (category.value) body.category = category.value;
      if (criticality.value) body.criticality = criticality.value;
      if (reaction.input.value.trim()) body.reaction = reaction.input.value.trim();
      if (severity.value) body.severity = severity.value;
      send(body, submit);
    } },
    h("h2", { id: "allergy-title" }, "Record an allergy"),
    h("div", { class: "vitals-grid" }, substance.row,
      h("div", { class: "field" }, h("label", { for: "allergy-category" }, "Category"), category),
      h("div", { class: "field" }, h("label", { for: "allergy-criticality" }, "Criticality"), criticality),
      reaction.row,
      h("div", { class: "field" }, h("label", { for: "allergy-severity" }, "Reaction severity"), severity)),
    error, saved, h("div", { class: "buttons" }, submit, none));
}
