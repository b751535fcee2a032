// patient.js - reading and writing the parts of a FHIR Patient the app
// shows: name, birth date, sex, phone, medical record number (MRN).

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

// A new Patient from the registration form's values.
export function newPatient({ family, given, birthDate, gender, phone, mrn }) {
  const p = { resourceType: "Patient", active: true,
              name: [{ use: "official", family, given: given ? given.split(/\s+/).filter(Boolean) : undefined }] };
  if (birthDate) p.birthDate = birthDate;
  if (gender) p.gender = gender;
  if (phone) p.telecom = [{ system: "phone", value: normalPhone(phone), use: "home" }];
  if (mrn) p.identifier = [{ system: MRN_SYSTEM, value: mrn }];
  return p;
}
