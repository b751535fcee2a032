// chart.js - a patient's chart. Today: the demographics header (name,
// birth date, sex, MRN, phone); the clinical sections join it as their
// workflows land (docs/web.md).

import { get } from "./api.js";
import { h, show } from "./dom.js";
import { nameOf, mrnOf, phoneOf } from "./patient.js";

export async function chartScreen(main, app, id) {
  show(main, h("p", { class: "status", role: "status" }, "Opening the chart…"));
  try {
    const p = await get(`/fhir/Patient/${encodeURIComponent(id)}`);
    const facts = [
      ["Birth date", p.birthDate || "—"],
      ["Sex", p.gender || "—"],
      ["MRN", mrnOf(p) || "—"],
      ["Phone", phoneOf(p) || "—"],
    ];
    show(main,
      h("section", { class: "card chart", "aria-labelledby": "chart-title" },
        h("p", {}, h("a", { href: "#/patients" }, "← Back to patients")),
        h("h1", { id: "chart-title" }, nameOf(p)),
        h("dl", { class: "facts" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))));
  } catch (e) {
    show(main,
      h("section", { class: "card" },
        h("p", {}, h("a", { href: "#/patients" }, "← Back to patients")),
        h("p", { class: "form-error", role: "alert" }, e.message)));
  }
}
