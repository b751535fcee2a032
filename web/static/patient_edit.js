// patient_edit.js - editing a registered patient's details from the chart
// header: official name, birth date, sex, phone, MRN and address, in a
// dialog filled in from the version of the Patient the chart loaded.
// Saving is PUT /fhir/Patient/{id} with If-Match on that version and the
// stored resource with only those details changed (patient.js
// applyDetails), so imported extensions, other names and identifiers are
// kept. A colleague's change in between (412) is said beside the form
// with "Reload"; any other refusal shows the server's sentence there.

import { get, put } from "./api.js";
import { h, field } from "./dom.js";
import { openModal } from "./modal.js";
import { errorSlot, statusSlot, textArea, selectField, enc } from "./fmt.js";
import { detailsOf, applyDetails } from "./patient.js";

const SEXES = [["", "—"], ["female", "Female"], ["male", "Male"], ["other", "Other"], ["unknown", "Unknown"]];

const CONFLICT = "Someone else changed this patient's details after you opened the form, so nothing "
  + "was saved. Reload to see their changes, then make yours again.";

// The "Edit details" button and where "Details saved." shows. patient: the
// Patient as the chart loaded it; onChanged(p) is called with each newer
// version (saved or reloaded) so the chart header shows it.
export function editDetails(patient, onChanged) {
  let current = patient;
  const saved = statusSlot("edit-details-saved");
  const button = h("button", { type: "button", id: "edit-details", class: "secondary",
    onclick: () => open() }, "Edit details");

  function open() {
    saved.textContent = "";
    let m;
    const f = {
      family: field("Family name", { id: "edit-family", name: "family", required: true, maxlength: 100, autocomplete: "off" }),
      given: field("Given names", { id: "edit-given", name: "given", maxlength: 100, autocomplete: "off" }),
      birthDate: field("Birth date", { id: "edit-birthDate", name: "birthDate", type: "date", required: true }),
      gender: selectField("Sex", "edit-gender", SEXES, ""),
      phone: field("Phone", { id: "edit-phone", name: "phone", type: "tel", maxlength: 40, autocomplete: "off" }),
      mrn: field("MRN", { id: "edit-mrn", name: "mrn", maxlength: 40, autocomplete: "off" }),
      line: textArea("Street address (one line per row)", { id: "edit-line", name: "line", rows: 2, maxlength: 300, autocomplete: "off" }),
      city: field("City", { id: "edit-city", name: "city", maxlength: 100, autocomplete: "off" }),
      state: field("State", { id: "edit-state", name: "state", maxlength: 50, autocomplete: "off" }),
      postalCode: field("Postal code", { id: "edit-postalCode", name: "postalCode", maxlength: 20, autocomplete: "off" }),
    };
    // A date input holds only a whole date: a stored "1980" or "1980-02"
    // is kept unless a whole date is typed.
    let partialBirth = "";
    const fill = (p) => {
      const d = detailsOf(p);
      for (const [k, v] of Object.entries(d)) f[k].input.value = v;
      partialBirth = d.birthDate && !f.birthDate.input.value ? d.birthDate : "";
      f.birthDate.error.textContent = partialBirth ? `Stored as ${partialBirth}; enter a whole date to change it.` : "";
    };
    fill(current);

    const error = errorSlot("edit-error");
    const info = statusSlot("edit-info");
    const reload = h("button", { type: "button", id: "edit-reload", onclick: async () => {
      reload.disabled = true;
      try {
        current = await get(`/fhir/Patient/${enc(current.id)}`);
        onChanged(current);
        fill(current);
        conflict.hidden = reload.hidden = true;
        info.textContent = "Reloaded: the form shows the saved details now.";
        f.family.input.focus();
      } catch (e) {
        error.textContent = e.message;
      } finally {
        reload.disabled = false;
      }
    } }, "Reload");
    reload.hidden = true;                  // out of the dialog's Tab cycle until needed
    const conflict = h("div", { class: "conflict", id: "edit-conflict", role: "alert", hidden: true },
      h("p", {}, CONFLICT), reload);
    const submit = h("button", { type: "submit", id: "edit-save" }, "Save details");
    const cancel = h("button", { type: "button", class: "secondary", id: "edit-cancel",
      onclick: () => close() }, "Cancel");

    function close() {
      m.close();
      button.focus();
    }

    async function save(ev) {
      ev.preventDefault();
      error.textContent = info.textContent = "";
      f.family.error.textContent = f.family.input.value.trim() ? "" : "Enter the family name.";
      f.birthDate.error.textContent = f.birthDate.input.value || partialBirth ? "" : "Enter the birth date.";
      if (f.family.error.textContent) { f.family.input.focus(); return; }
      if (f.birthDate.error.textContent) { f.birthDate.input.focus(); return; }
      const values = Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.input.value]));
      if (partialBirth && !values.birthDate) values.birthDate = undefined;
      const changed = applyDetails(current, values);
      if (JSON.stringify(changed) === JSON.stringify(current)) {
        close();
        saved.textContent = "Nothing changed.";
        return;
      }
      const version = current.meta && current.meta.versionId;
      submit.disabled = true;
      try {
        const path = `/fhir/Patient/${enc(current.id)}`;
        const answer = await put(path, changed, { contentType: "application/fhir+json",
          headers: version ? { "If-Match": `W/"${version}"` } : {} });
        current = answer && answer.resourceType === "Patient" ? answer : await get(path);
        onChanged(current);
        close();
        saved.textContent = "Details saved.";
      } catch (e) {
        if (e.status === 412) {
          conflict.hidden = reload.hidden = false;
          reload.focus();
        } else {
          error.textContent = e.message;
        }
      } finally {
        submit.disabled = false;
      }
    }

    const form = h("form", { id: "edit-form", novalidate: true, onsubmit: save },
      h("div", { class: "edit-grid" }, f.family.row, f.given.row, f.birthDate.row, f.gender.row,
        f.phone.row, f.mrn.row),
      h("fieldset", { class: "edit-address" }, h("legend", {}, "Address"),
        f.line.row, h("div", { class: "edit-grid edit-grid-3" }, f.city.row, f.state.row, f.postalCode.row)),
      conflict, error, info,
      h("div", { class: "buttons" }, submit, cancel));
    m = openModal({ id: "edit-dialog", title: "Edit patient details", role: "dialog", content: form,
      onCancel: () => button.focus() });
  }

  return h("div", { class: "edit-details" }, button, saved);
}
