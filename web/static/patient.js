// patient.js - reading and writing the parts of a FHIR Patient the app
// shows: name, birth date, sex, phone, medical record number (MRN) and
// address, for registering a patient and editing their details.

export const MRN_SYSTEM = "urn:stagewise:mrn";

export function nameOf(p) {
  const n = (p.name || []).find((x) => x.use === "official") || (p.name || [])[0];
  if (!n) return "(no name)";
  if (n.text) return n.text;
  return [...(n.given || []), n.family].filter(Boolean).join(" ") || "(no name)";
}

export function mrnOf(p) {
  const id = (p.identifier || []).find((i) => i.system === MRN_SYSTEM);
  return id ? id.value : "";
}

export function phoneOf(p) {
  const t = (p.telecom || []).find((x) => x.system === "phone");
  return t ? t.value : "";
}

// The home address (or the first) on one line: "1 Main St, Boston, MA 02118".
export function addressOf(p) {
  const a = addressToEdit(p);
  if (!a) return "";
  if (a.text) return a.text;
  return [...(a.line || []), a.city, [a.state, a.postalCode].filter(Boolean).join(" ")].filter(Boolean).join(", ");
}

// Phone numbers are kept as digits (and a leading +), so that "555 201
// 3344" and "(555) 201-3344" find the same patient: FHIR matches a phone
// exactly.
export function normalPhone(text) {
  return text.trim().replace(/(?!^\+)[^\d]/g, "");
}

// The search parameter a typed text most likely means: a birth date, a
// phone number, an MRN, or else a name.
export function searchParamsFor(text) {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return { birthdate: t };
  if (/^[+()\d][\d\s().-]{6,}$/.test(t)) return { phone: normalPhone(t) };
  if (/^[\w-]*\d[\w-]*$/.test(t)) return { identifier: `${MRN_SYSTEM}|${t}` };
  return { name: t };
}

// The details the registration and edit forms show, read from a Patient
// as the forms fill themselves in: the official name (or the first), the
// first phone, the MRN, the home address (or the first). Missing ones
// read "".
export function detailsOf(p) {
  const n = nameToEdit(p) || {};
  const a = addressToEdit(p) || {};
  return {
    family: n.family || "", given: (n.given || []).join(" "),
    birthDate: p.birthDate || "", gender: p.gender || "",
    phone: phoneOf(p), mrn: mrnOf(p),
    line: (a.line || []).join("\n"), city: a.city || "", state: a.state || "",
    postalCode: a.postalCode || "",
  };
}

function nameToEdit(p) {
  return (p.name || []).find((x) => x.use === "official") || (p.name || [])[0];
}

function addressToEdit(p) {
  return (p.address || []).find((x) => x.use === "home") || (p.address || [])[0];
}

const trimmed = (v) => (v === undefined || v === null ? undefined : String(v).trim());
const lines = (v) => v.split(/\r?\n/).map((x) => x.trim()).filter(Boolean);

// Sets key of obj to value, or removes it when value is empty.
function put(obj, key, value) {
  if (value === "" || (Array.isArray(value) && !value.length)) delete obj[key];
  else obj[key] = value;
}

// The element of list (p[key]) that pick finds, or a new one made by
// make when there is none; a list left empty is removed.
function entry(p, key, pick, make) {
  p[key] = p[key] || [];
  let e = pick(p);
  if (!e) { e = make(); p[key].push(e); }
  return e;
}
function prune(p, key, keep) {
  if (!p[key]) return;
  p[key] = p[key].filter(keep);
  if (!p[key].length) delete p[key];
}

// A copy of the Patient p with the forms' values applied. Only a detail
// whose value differs from what detailsOf(p) reads is written, and only
// that element: every other element (extensions, other names,
// identifiers, telecoms, addresses) is kept as it was, and an unchanged
// detail keeps its stored spelling (an imported "555-201-3344" stays).
// A value that is undefined is not in the form and left alone; "" clears
// the detail. Phones are stored as digits (normalPhone).
export function applyDetails(p, values) {
  const out = structuredClone(p);
  const was = detailsOf(p);
  const v = {};
  for (const k of Object.keys(was)) {
    const t = trimmed(values[k]);
    if (t === undefined) continue;
    const same = k === "given" ? t.split(/\s+/).join(" ") === was.given
      : k === "line" ? lines(t).join("\n") === was.line
      : k === "phone" ? t === was.phone || (t !== "" && normalPhone(t) === was.phone)
      : t === was[k];
    if (!same) v[k] = t;
  }

  if ("family" in v || "given" in v) {
    const n = entry(out, "name", nameToEdit, () => ({ use: "official" }));
    if ("family" in v) put(n, "family", v.family);
    if ("given" in v) put(n, "given", v.given.split(/\s+/).filter(Boolean));
    delete n.text;                         // it would show the old name
  }
  if ("birthDate" in v) put(out, "birthDate", v.birthDate);
  if ("gender" in v) put(out, "gender", v.gender);
  if ("phone" in v) {
    const t = entry(out, "telecom", (q) => (q.telecom || []).find((x) => x.system === "phone"),
                    () => ({ system: "phone", use: "home" }));
    put(t, "value", normalPhone(v.phone));
    prune(out, "telecom", (x) => x !== t || x.value);
  }
  if ("mrn" in v) {
    const id = entry(out, "identifier", (q) => (q.identifier || []).find((x) => x.system === MRN_SYSTEM),
                     () => ({ system: MRN_SYSTEM }));
    put(id, "value", v.mrn);
    prune(out, "identifier", (x) => x !== id || x.value);
  }
  if (["line", "city", "state", "postalCode"].some((k) => k in v)) {
    const a = entry(out, "address", addressToEdit, () => ({ use: "home" }));
    if ("line" in v) put(a, "line", lines(v.line));
    for (const k of ["city", "state", "postalCode"]) if (k in v) put(a, k, v[k]);
    delete a.text;                         // it would show the old address
    prune(out, "address", (x) => x !== a || Object.keys(x).some((k) => k !== "use" && k !== "type"));
  }
  return out;
}

// A new Patient from the registration form's values.
export function newPatient(values) {
  return applyDetails({ resourceType: "Patient", active: true }, values);
}
