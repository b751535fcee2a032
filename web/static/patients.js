// patients.js - finding a patient as you type (name, birth date, MRN or
// phone) and registering a new one. Results come from GET /fhir/Patient;
// a new patient is POST /fhir/Patient. Errors show next to what caused
// them.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { nameOf, mrnOf, phoneOf, searchParamsFor, newPatient } from "./patient.js";

const TYPE_DELAY_MS = 250;

export function patientsScreen(main, app) {
  const search = field("Find a patient (name, birth date YYYY-MM-DD, MRN or phone)",
                       { type: "search", id: "patient-search", autocomplete: "off", maxlength: 100 });
  const status = h("p", { class: "status", role: "status", id: "search-status" });
  const results = h("ul", { class: "results", id: "search-results", "aria-label": "Patients found" });
  const registerButton = h("button", { type: "button", id: "register-open",
                                       onclick: () => { form.hidden = false; reg.family.input.focus(); } },
                           "Register a new patient");
  const reg = registrationForm(app);
  const form = reg.form;
  form.hidden = true;

  let timer = 0, seq = 0;
  search.input.addEventListener("input", () => {
    clearTimeout(timer);
    status.textContent = "Searching…";
    timer = setTimeout(run, TYPE_DELAY_MS);
  });

  async function run() {
    const text = search.input.value.trim();
    const mine = ++seq;
    search.error.textContent = "";
    if (text.length < 2) {
      show(results);
      status.textContent = text ? "Type at least two characters." : "";
      return;
    }
    const params = new URLSearchParams({ ...searchParamsFor(text), _count: "20", _sort: "family" });
    try {
      const bundle = await get(`/fhir/Patient?${params}`);
      if (mine !== seq) return;           // a later keystroke's answer wins
      const found = (bundle.entry || []).map((e) => e.resource);
      status.textContent = found.length ? `${found.length} patient${found.length === 1 ? "" : "s"} found.` : "No patient found.";
      show(results, found.map((p) => h("li", {},
        h("a", { href: `#/patients/${p.id}`, class: "result" },
          h("span", { class: "name" }, nameOf(p)),
          h("span", { class: "meta" }, [p.birthDate, p.gender, mrnOf(p) && `MRN ${mrnOf(p)}`, phoneOf(p)].filter(Boolean).join(" · "))))));
      app.idle && app.idle.activity();
    } catch (e) {
      if (mine !== seq) return;
      show(results);
      status.textContent = "";
      search.error.textContent = e.message;
    }
  }

  show(main,
    h("section", { class: "card", "aria-labelledby": "patients-title" },
      h("h1", { id: "patients-title" }, "Patients"),
      search.row, status, results, registerButton),
    form);
  search.input.focus();
}

function registrationForm(app) {
  const family = field("Family name", { name: "family", required: true, maxlength: 100, autocomplete: "off" });
  const given = field("Given names", { name: "given", maxlength: 100, autocomplete: "off" });
  const birth = field("Birth date", { name: "birthDate", type: "date", required: true });
  const sexId = "reg-gender";
  const sex = h("select", { id: sexId, name: "gender" },
    h("option", { value: "" }, "—"), h("option", { value: "female" }, "Female"),
    h("option", { value: "male" }, "Male"), h("option", { value: "other" }, "Other"),
    h("option", { value: "unknown" }, "Unknown"));
  const phone = field("Phone", { name: "phone", type: "tel", maxlength: 40, autocomplete: "off" });
  const mrn = field("MRN", { name: "mrn", maxlength: 40, autocomplete: "off" });
  const error = h("p", { class: "form-error", role: "alert", id: "register-error" });
  const submit = h("button", { type: "submit" }, "Register");

  const form = h("form", { class: "card", id: "register-form", "aria-labelledby": "register-title", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      family.error.textContent = family.input.value.trim() ? "" : "Enter the family name.";
      birth.error.textContent = birth.input.value ? "" : "Enter the birth date.";
      if (family.error.textContent || birth.error.textContent) return;
      submit.disabled = true;
      try {
        const p = await post("/fhir/Patient", newPatient({
          family: family.input.value.trim(), given: given.input.value.trim(),
          birthDate: birth.input.value, gender: sex.value,
          phone: phone.input.value.trim(), mrn: mrn.input.value.trim() }),
          { contentType: "application/fhir+json" });
        app.go(`#/patients/${p.id}`);
      } catch (e) {
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    } },
    h("h2", { id: "register-title" }, "Register a new patient"),
    family.row, given.row, birth.row,
    h("div", { class: "field" }, h("label", { for: sexId }, "Sex"), sex),
    phone.row, mrn.row, error, submit);
  return { form, family };
}
