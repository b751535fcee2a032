// modules.js - the one place that says which module and which permissions
// each screen, tab and button needs. The app offers a feature only when
// its module is live for the user (GET /api/me "modules") AND the
// permission table lets the user's role do it ("permissions"); the server
// still checks every request.
//
// The exception: features with module null belong to no clinical module
// (the Implementation screen runs the rollout itself, so it must work
// before and whatever the plan); the permission table alone decides them.

export const FEATURES = {
  editPatient:        { module: "registration",  needs: ["demographics:write"] },
  schedule:           { module: "scheduling",    needs: ["scheduling:read"] },
  checkIn:            { module: "scheduling",    needs: ["visits:write"] },
  visits:             { module: "documentation", needs: ["visits:read"] },
  startVisit:         { module: "documentation", needs: ["visits:write"] },
  visit:              { module: "documentation", needs: ["visits:read", "notes:read"] },
  writeNote:          { module: "documentation", needs: ["notes:write"] },
  signNote:           { module: "documentation", needs: ["notes:sign"] },
  coding:             { module: "documentation", needs: ["notes:write"] },
  charges:            { module: "charge_capture", needs: ["notes:read"] },
  reconcile:          { module: "documentation", needs: ["clinical:write"] },
  prescribe:          { module: "eprescribing",  needs: ["medications:prescribe"] },
  medications:        { module: "medications",   needs: ["medications:read"] },
  writeMedications:   { module: "medications",   needs: ["medications:write"] },
  problems:           { module: "problems",      needs: ["clinical:read"] },
  writeProblems:      { module: "problems",      needs: ["clinical:write"] },
  allergies:          { module: "allergies",     needs: ["clinical:read"] },
  writeAllergies:     { module: "allergies",     needs: ["clinical:write"] },
  orders:             { module: "orders",        needs: ["orders:read"] },
  placeOrder:         { module: "orders",        needs: ["orders:order"] },
  results:            { module: "results",       needs: ["results:read"] },
  immunizations:      { module: "immunizations", needs: ["clinical:read"] },
  writeImmunizations: { module: "immunizations", needs: ["clinical:write"] },
  vitals:             { module: "vitals",        needs: ["clinical:read"] },
  implementation:     { module: null,            needs: ["plan:read"] },
  changePlan:         { module: null,            needs: ["plan:write"] },
  goLive:             { module: null,            needs: ["plan:write"] },
  tickChecklist:      { module: null,            needs: ["plan:write"] },
  forceGoLive:        { module: null,            needs: ["plan:admin"] },
  rollBack:           { module: null,            needs: ["plan:admin"] },
  overrides:          { module: null,            needs: ["plan:admin"] },
  // The Billing interface screen works whatever the plan: it shows what
  // did not reach billing, and a queue is worked (resent) even after
  // charge capture is rolled back.
  billingInterface:   { module: null,            needs: ["billing:read"] },
  resendCharge:       { module: null,            needs: ["billing:write"] },
  // Training (training.js) is for everyone signed in, in both
  // environments: courses are how modules become live safely.
  training:           { module: null,            needs: [] },
  trainingProgress:   { module: null,            needs: ["plan:read"] },
};

// modules: the live module ids, or null when the server names none (then
// the permission table alone decides).
export function offered(feature, modules, permissions) {
  const f = FEATURES[feature];
  if (!f) throw new Error(`unknown feature ${feature}`);
  if (modules && f.module && !modules.has(f.module)) return false;
  return f.needs.every((p) => permissions.has(p));
}
