/* drugs_table.c - the built-in drug knowledge base (see drugs.h): about
 * sixty commonly prescribed ambulatory products, their ingredients and
 * classes, common interactions and allergy cross-reactions.
 *
 * Every RxNorm code here was checked against a published source, never
 * guessed (docs/workflows.md, "Prescribing", lists them):
 *   - product (SCD) codes and names: the Synthea module library
 *     (synthetichealth/synthea, src/main/resources/modules/medications/
 *     statin.json, ace_arb.json, ear_infection_antibiotic.json,
 *     otc_pain_reliever.json, moderate_opioid_pain_reliever.json), the
 *     Synthea records in tests/data/synthea, the FHIR R4 examples, and the
 *     eCQM value set expansions of VSAC (eCQM Update 2025-05-08: e.g.
 *     "Oral Anticoagulant Medications" 2.16.840.1.113883.3.3157.4045,
 *     antibiotic, antidepressant, antihypertensive, diabetes and opioid
 *     value sets), which list each code with its RxNorm name;
 *   - ingredient (IN) codes: the CPIC drug table (cpicpgx/cpic-schema
 *     drug.sql), the FHIR R4 example AllergyIntolerance (penicillin G
 *     7980), the Synthea modules (amlodipine 17767, penicillin V 7984),
 *     and, for amoxicillin 723, lisinopril 29046, ibuprofen 5640, naproxen
 *     7258, azithromycin 18631, clarithromycin 21212, cephalexin 2231,
 *     losartan 52175, acetaminophen 161 and sulfamethoxazole 10180,
 *     several independent public FHIR sources agreeing.
 * Trimethoprim's IN code could not be confirmed: it is listed without one
 * and matched by name.
 *
 * Interactions and cross-reactions are the common, well-known ones a
 * prescriber expects to be told about (bleeding with warfarin, serotonin
 * syndrome, rhabdomyolysis, hyperkalaemia, respiratory depression); this
 * is not a complete interaction knowledge base, and the documentation
 * says so. */
#include "drugs.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const drug_class classes[] = {
    { "penicillin", "penicillins", { "penicillin", NULL }, "high" },
    { "cephalosporin", "cephalosporins", { "cephalosporin", NULL }, "high" },
    { "sulfonamide-antibiotic", "sulfonamide antibiotics",
      { "sulfa", "sulfonamide", NULL }, "high" },
    { "macrolide", "macrolides", { "macrolide", NULL }, "high" },
    { "fluoroquinolone", "fluoroquinolones", { "fluoroquinolone", "quinolone", NULL }, "high" },
    { "nsaid", "NSAIDs", { "nsaid", NULL }, "moderate" },
    { "opioid", "opioids", { "opioid", "opiate", NULL }, NULL },
    { "benzodiazepine", "benzodiazepines", { "benzodiazepine", NULL }, NULL },
    { "ssri", "SSRIs", { "ssri", NULL }, NULL },
    { "ace-inhibitor", "ACE inhibitors", { "ace inhibitor", NULL }, NULL },
    { "arb", "angiotensin receptor blockers", { "angiotensin receptor blocker", NULL }, NULL },
    { "statin", "statins", { "statin", NULL }, NULL },
    { "anticoagulant", "anticoagulants", { "anticoagulant", "blood thinner", NULL }, NULL },
    { "calcium-channel-blocker", "calcium channel blockers", { "calcium channel blocker", NULL }, NULL },
    { "thiazide", "thiazide diuretics", { "thiazide", NULL }, NULL },
    { "potassium-sparing-diuretic", "potassium-sparing diuretics", { NULL }, NULL },
    { "beta-blocker", "beta blockers", { "beta blocker", NULL }, NULL },
    { "biguanide", "biguanides", { NULL }, NULL },
    { "sulfonylurea", "sulfonylureas", { "sulfonylurea", NULL }, NULL },
    { "analgesic", "analgesics", { NULL }, NULL },
    { "antimetabolite", "antimetabolites", { NULL }, NULL },
};

static const drug_ingredient ingredients[] = {
    { "723",    "amoxicillin",      { "penicillin", NULL } },
    { "7980",   "penicillin G",     { "penicillin", NULL } },
    { "7984",   "penicillin V",     { "penicillin", NULL } },
    { "2231",   "cephalexin",       { "cephalosporin", NULL } },
    { "18631",  "azithromycin",     { "macrolide", NULL } },
    { "21212",  "clarithromycin",   { "macrolide", NULL } },
    { "10180",  "sulfamethoxazole", { "sulfonamide-antibiotic", NULL } },
    { NULL,     "trimethoprim",     { NULL } },
    { "2551",   "ciprofloxacin",    { "fluoroquinolone", NULL } },
    { "5640",   "ibuprofen",        { "nsaid", NULL } },
    { "7258",   "naproxen",         { "nsaid", NULL } },
    { "1191",   "aspirin",          { "nsaid", NULL } },
    { "161",    "acetaminophen",    { "analgesic", NULL } },
    { "7804",   "oxycodone",        { "opioid", NULL } },
    { "10689",  "tramadol",         { "opioid", NULL } },
    { "3322",   "diazepam",         { "benzodiazepine", NULL } },
    { "36437",  "sertraline",       { "ssri", NULL } },
    { "4493",   "fluoxetine",       { "ssri", NULL } },
    { "2556",   "citalopram",       { "ssri", NULL } },
    { "29046",  "lisinopril",       { "ace-inhibitor", NULL } },
    { "52175",  "losartan",         { "arb", NULL } },
    { "17767",  "amlodipine",       { "calcium-channel-blocker", NULL } },
    { "5487",   "hydrochlorothiazide", { "thiazide", NULL } },
    { "9997",   "spironolactone",   { "potassium-sparing-diuretic", NULL } },
    { "6918",   "metoprolol",       { "beta-blocker", NULL } },
    { "83367",  "atorvastatin",     { "statin", NULL } },
    { "36567",  "simvastatin",      { "statin", NULL } },
    { "301542", "rosuvastatin",     { "statin", NULL } },
    { "42463",  "pravastatin",      { "statin", NULL } },
    { "11289",  "warfarin",         { "anticoagulant", NULL } },
    { "6809",   "metformin",        { "biguanide", NULL } },
    { "4821",   "glipizide",        { "sulfonylurea", NULL } },
    /* No product in the table, but a medication the patient reports
     * ("methotrexate 2.5 mg weekly") is matched by name. */
    { "6851",   "methotrexate",     { "antimetabolite", NULL } },
};

#define PO "oral"
static const drug_product products[] = {
    /* Penicillins */
    { "308182", "amoxicillin 250 MG Oral Capsule", { "amoxicillin" }, "250 mg", PO, "three times daily" },
    { "308191", "amoxicillin 500 MG Oral Capsule", { "amoxicillin" }, "500 mg", PO, "three times daily" },
    { "308192", "amoxicillin 500 MG Oral Tablet", { "amoxicillin" }, "500 mg", PO, "three times daily" },
    { "308194", "amoxicillin 875 MG Oral Tablet", { "amoxicillin" }, "875 mg", PO, "twice daily" },
    { "834061", "penicillin V potassium 250 MG Oral Tablet", { "penicillin V" }, "250 mg", PO, "four times daily" },
    { "834102", "penicillin V potassium 500 MG Oral Tablet", { "penicillin V" }, "500 mg", PO, "twice daily" },
    /* Cephalosporins */
    { "309112", "cephalexin 250 MG Oral Capsule", { "cephalexin" }, "250 mg", PO, "four times daily" },
    { "309114", "cephalexin 500 MG Oral Capsule", { "cephalexin" }, "500 mg", PO, "twice daily" },
    { "197454", "cephalexin 500 MG Oral Tablet", { "cephalexin" }, "500 mg", PO, "twice daily" },
    /* Macrolides */
    { "308460", "azithromycin 250 MG Oral Tablet", { "azithromycin" }, "250 mg", PO, "once daily" },
    { "197516", "clarithromycin 250 MG Oral Tablet", { "clarithromycin" }, "250 mg", PO, "twice daily" },
    { "197517", "clarithromycin 500 MG Oral Tablet", { "clarithromycin" }, "500 mg", PO, "twice daily" },
    /* Sulfonamide antibiotics, fluoroquinolones */
    { "198334", "sulfamethoxazole 400 MG / trimethoprim 80 MG Oral Tablet",
      { "sulfamethoxazole", "trimethoprim" }, "1 tablet", PO, "twice daily" },
    { "198335", "sulfamethoxazole 800 MG / trimethoprim 160 MG Oral Tablet",
      { "sulfamethoxazole", "trimethoprim" }, "1 tablet", PO, "twice daily" },
    { "309309", "ciprofloxacin 500 MG Oral Tablet", { "ciprofloxacin" }, "500 mg", PO, "twice daily" },
    /* Analgesics and NSAIDs */
    { "198405", "ibuprofen 100 MG Oral Tablet", { "ibuprofen" }, "100 mg", PO, "every 6 hours as needed" },
    { "310965", "ibuprofen 200 MG Oral Tablet", { "ibuprofen" }, "400 mg", PO, "every 6 hours as needed" },
    { "849574", "naproxen sodium 220 MG Oral Tablet", { "naproxen" }, "220 mg", PO, "twice daily as needed" },
    { "243670", "aspirin 81 MG Oral Tablet", { "aspirin" }, "81 mg", PO, "once daily" },
    { "313782", "acetaminophen 325 MG Oral Tablet", { "acetaminophen" }, "650 mg", PO, "every 6 hours as needed" },
    /* Opioids, benzodiazepines */
    { "1049221", "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet",
      { "acetaminophen", "oxycodone" }, "1 tablet", PO, "every 6 hours as needed" },
    { "1049621", "oxycodone hydrochloride 5 MG Oral Tablet", { "oxycodone" }, "5 mg", PO, "every 6 hours as needed" },
    { "835603", "tramadol hydrochloride 50 MG Oral Tablet", { "tramadol" }, "50 mg", PO, "every 6 hours as needed" },
    { "197590", "diazepam 2 MG Oral Tablet", { "diazepam" }, "2 mg", PO, "twice daily" },
    { "197591", "diazepam 5 MG Oral Tablet", { "diazepam" }, "5 mg", PO, "twice daily" },
    /* SSRIs */
    { "312940", "sertraline 25 MG Oral Tablet", { "sertraline" }, "25 mg", PO, "once daily" },
    { "312941", "sertraline 50 MG Oral Tablet", { "sertraline" }, "50 mg", PO, "once daily" },
    { "312938", "sertraline 100 MG Oral Tablet", { "sertraline" }, "100 mg", PO, "once daily" },
    { "310385", "fluoxetine 20 MG Oral Capsule", { "fluoxetine" }, "20 mg", PO, "once daily" },
    { "248642", "fluoxetine 20 MG Oral Tablet", { "fluoxetine" }, "20 mg", PO, "once daily" },
    { "200371", "citalopram 20 MG Oral Tablet", { "citalopram" }, "20 mg", PO, "once daily" },
    /* Blood pressure */
    { "311354", "lisinopril 5 MG Oral Tablet", { "lisinopril" }, "5 mg", PO, "once daily" },
    { "314076", "lisinopril 10 MG Oral Tablet", { "lisinopril" }, "10 mg", PO, "once daily" },
    { "314077", "lisinopril 20 MG Oral Tablet", { "lisinopril" }, "20 mg", PO, "once daily" },
    { "197887", "hydrochlorothiazide 25 MG / lisinopril 20 MG Oral Tablet",
      { "hydrochlorothiazide", "lisinopril" }, "1 tablet", PO, "once daily" },
    { "979485", "losartan potassium 25 MG Oral Tablet", { "losartan" }, "25 mg", PO, "once daily" },
    { "979492", "losartan potassium 50 MG Oral Tablet", { "losartan" }, "50 mg", PO, "once daily" },
    { "979480", "losartan potassium 100 MG Oral Tablet", { "losartan" }, "100 mg", PO, "once daily" },
    { "979468", "hydrochlorothiazide 12.5 MG / losartan potassium 50 MG Oral Tablet",
      { "hydrochlorothiazide", "losartan" }, "1 tablet", PO, "once daily" },
    { "308136", "amlodipine 2.5 MG Oral Tablet", { "amlodipine" }, "2.5 mg", PO, "once daily" },
    { "197361", "amlodipine 5 MG Oral Tablet", { "amlodipine" }, "5 mg", PO, "once daily" },
    { "310798", "hydrochlorothiazide 25 MG Oral Tablet", { "hydrochlorothiazide" }, "25 mg", PO, "once daily" },
    { "313096", "spironolactone 25 MG Oral Tablet", { "spironolactone" }, "25 mg", PO, "once daily" },
    { "866924", "metoprolol tartrate 25 MG Oral Tablet", { "metoprolol" }, "25 mg", PO, "twice daily" },
    { "866514", "metoprolol tartrate 50 MG Oral Tablet", { "metoprolol" }, "50 mg", PO, "twice daily" },
    /* Statins */
    { "617312", "atorvastatin 10 MG Oral Tablet", { "atorvastatin" }, "10 mg", PO, "once daily" },
    { "617310", "atorvastatin 20 MG Oral Tablet", { "atorvastatin" }, "20 mg", PO, "once daily" },
    { "617311", "atorvastatin 40 MG Oral Tablet", { "atorvastatin" }, "40 mg", PO, "once daily" },
    { "259255", "atorvastatin 80 MG Oral Tablet", { "atorvastatin" }, "80 mg", PO, "once daily" },
    { "314231", "simvastatin 10 MG Oral Tablet", { "simvastatin" }, "10 mg", PO, "once daily at bedtime" },
    { "312961", "simvastatin 20 MG Oral Tablet", { "simvastatin" }, "20 mg", PO, "once daily at bedtime" },
    { "198211", "simvastatin 40 MG Oral Tablet", { "simvastatin" }, "40 mg", PO, "once daily at bedtime" },
    { "859747", "rosuvastatin calcium 10 MG Oral Tablet", { "rosuvastatin" }, "10 mg", PO, "once daily" },
    { "859751", "rosuvastatin calcium 20 MG Oral Tablet", { "rosuvastatin" }, "20 mg", PO, "once daily" },
    { "904475", "pravastatin sodium 40 MG Oral Tablet", { "pravastatin" }, "40 mg", PO, "once daily" },
    /* Anticoagulants */
    { "855288", "warfarin sodium 1 MG Oral Tablet", { "warfarin" }, "1 mg", PO, "once daily" },
    { "855312", "warfarin sodium 2.5 MG Oral Tablet", { "warfarin" }, "2.5 mg", PO, "once daily" },
    { "855332", "warfarin sodium 5 MG Oral Tablet", { "warfarin" }, "5 mg", PO, "once daily" },
    /* Diabetes */
    { "861007", "metformin hydrochloride 500 MG Oral Tablet", { "metformin" }, "500 mg", PO, "twice daily" },
    { "861004", "metformin hydrochloride 1000 MG Oral Tablet", { "metformin" }, "1000 mg", PO, "twice daily" },
    { "860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet",
      { "metformin" }, "500 mg", PO, "once daily" },
    { "310490", "glipizide 5 MG Oral Tablet", { "glipizide" }, "5 mg", PO, "once daily" },
};

static const drug_interaction interactions[] = {
    { "warfarin", "nsaid", "high",
      "An NSAID with warfarin raises the risk of serious bleeding, "
      "especially gastrointestinal." },
    { "warfarin", "sulfamethoxazole", "high",
      "Sulfamethoxazole strongly raises the INR on warfarin: risk of bleeding." },
    { "warfarin", "macrolide", "moderate",
      "Macrolides can raise the INR on warfarin: check it within a few days." },
    { "warfarin", "fluoroquinolone", "moderate",
      "Fluoroquinolones can raise the INR on warfarin: check it within a few days." },
    { "simvastatin", "clarithromycin", "high",
      "Clarithromycin raises simvastatin levels: risk of rhabdomyolysis. "
      "Hold simvastatin during the course or choose another antibiotic." },
    { "atorvastatin", "clarithromycin", "moderate",
      "Clarithromycin raises atorvastatin levels: risk of myopathy; limit "
      "atorvastatin to 20 mg during the course." },
    { "simvastatin", "amlodipine", "low",
      "With amlodipine, simvastatin should not exceed 20 mg daily (myopathy)." },
    { "ace-inhibitor", "potassium-sparing-diuretic", "moderate",
      "An ACE inhibitor with a potassium-sparing diuretic can cause "
      "hyperkalaemia: check potassium and renal function." },
    { "arb", "potassium-sparing-diuretic", "moderate",
      "An angiotensin receptor blocker with a potassium-sparing diuretic can "
      "cause hyperkalaemia: check potassium and renal function." },
    { "ace-inhibitor", "nsaid", "moderate",
      "NSAIDs blunt ACE inhibitors and, together, can harm renal function." },
    { "ssri", "tramadol", "high",
      "Tramadol with an SSRI risks serotonin syndrome and seizures." },
    { "ssri", "nsaid", "moderate",
      "An SSRI with an NSAID raises the risk of gastrointestinal bleeding." },
    { "opioid", "benzodiazepine", "high",
      "An opioid with a benzodiazepine risks profound sedation, respiratory "
      "depression and death." },
    { "methotrexate", "trimethoprim", "high",
      "Trimethoprim with methotrexate risks bone marrow suppression." },
};

static const drug_cross_reaction cross[] = {
    { "penicillin", "cephalosporin", "moderate",
      "Penicillin allergy: cephalosporins carry a small risk of cross-sensitivity." },
    { "cephalosporin", "penicillin", "moderate",
      "Cephalosporin allergy: penicillins carry a small risk of cross-sensitivity." },
};

static const drug_kb builtin = {
    .name = "built-in",
    .classes = classes, .nclasses = N(classes),
    .ingredients = ingredients, .ningredients = N(ingredients),
    .products = products, .nproducts = N(products),
    .interactions = interactions, .ninteractions = N(interactions),
    .cross = cross, .ncross = N(cross),
};

const drug_kb *drug_kb_builtin(void)
{
    return &builtin;
}
