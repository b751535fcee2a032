/* codes_cpt.c - the procedures and visit levels an office visit is most
 * often billed with (codes.h): CPT evaluation and management, preventive
 * medicine, in-office tests and small procedures, and the HCPCS Level II
 * codes Medicare asks for (annual wellness visits, vaccine administration,
 * common injectable drugs).
 *
 * Sources: HCPCS Level II rows were checked against the CMS alpha-numeric
 * HCPCS file (HCPC2020_ANWEB, cms.gov/medicare/coding-billing/
 * healthcare-common-procedure-system) and, for codes created or revised
 * since, against CMS MLN guidance (G2211: MLN MM13473, payable from
 * 2024; G0444: "5 to 15 minutes" from 2025, CR 13710). CPT rows were
 * checked for existence and meaning against the CPT descriptors carried
 * by the NLM VSAC eCQM value sets (2025 update) where they appear there
 * (office, preventive, counseling, tobacco and online visits); the others
 * were reviewed against the CPT code set itself, which is not a public
 * file. No CPT code here was deleted through CPT 2025.
 * CPT descriptors are the AMA's copyright, so every display here is our
 * own short plain description of what the code bills, not the AMA's
 * text. Codes starting with a letter are HCPCS Level II (codes_system).
 * Add a row only after checking the code is current. */
#include "codes.h"

const code_entry codes_procedure[] = {
    /* Office visits, new patient (by medical decision making) */
    { "99202", "Office visit, new patient, straightforward" },
    { "99203", "Office visit, new patient, low complexity" },
    { "99204", "Office visit, new patient, moderate complexity" },
    { "99205", "Office visit, new patient, high complexity" },
    /* Office visits, established patient */
    { "99211", "Office visit, established patient, minimal (may not need a physician)" },
    { "99212", "Office visit, established patient, straightforward" },
    { "99213", "Office visit, established patient, low complexity" },
    { "99214", "Office visit, established patient, moderate complexity" },
    { "99215", "Office visit, established patient, high complexity" },
    { "99417", "Prolonged office visit, each additional 15 minutes" },
    /* Preventive visits, new patient, by age */
    { "99381", "Preventive visit, new patient, under 1 year" },
    { "99382", "Preventive visit, new patient, age 1 to 4" },
    { "99383", "Preventive visit, new patient, age 5 to 11" },
    { "99384", "Preventive visit, new patient, age 12 to 17" },
    { "99385", "Preventive visit, new patient, age 18 to 39" },
    { "99386", "Preventive visit, new patient, age 40 to 64" },
    { "99387", "Preventive visit, new patient, 65 and over" },
    /* Preventive visits, established patient, by age */
    { "99391", "Preventive visit, established patient, under 1 year" },
    { "99392", "Preventive visit, established patient, age 1 to 4" },
    { "99393", "Preventive visit, established patient, age 5 to 11" },
    { "99394", "Preventive visit, established patient, age 12 to 17" },
    { "99395", "Preventive visit, established patient, age 18 to 39" },
    { "99396", "Preventive visit, established patient, age 40 to 64" },
    { "99397", "Preventive visit, established patient, 65 and over" },
    /* Counseling, screening, care management */
    { "99401", "Preventive counseling, individual, about 15 minutes" },
    { "99402", "Preventive counseling, individual, about 30 minutes" },
    { "99406", "Tobacco cessation counseling, 3 to 10 minutes" },
    { "99407", "Tobacco cessation counseling, over 10 minutes" },
    { "99421", "Online digital visit, established patient, 5 to 10 minutes over 7 days" },
    { "99495", "Transitional care after discharge, moderate complexity, seen within 14 days" },
    { "99496", "Transitional care after discharge, high complexity, seen within 7 days" },
    { "99497", "Advance care planning discussion, first 30 minutes" },
    { "96127", "Brief emotional or behavioral assessment with a scored instrument" },
    { "96160", "Health risk assessment with a scored instrument, patient-focused" },
    /* Specimens, tests done in the office */
    { "36415", "Routine venipuncture (blood draw)" },
    { "81002", "Urinalysis by dipstick, read by hand, without microscopy" },
    { "81003", "Urinalysis by automated reader, without microscopy" },
    { "81025", "Urine pregnancy test, visual color comparison" },
    { "82962", "Blood glucose by a home-use monitoring device" },
    { "83036", "Hemoglobin A1c" },
    { "85018", "Hemoglobin" },
    { "87804", "Rapid influenza antigen test" },
    { "87811", "Rapid SARS-CoV-2 (COVID-19) antigen test" },
    { "87880", "Rapid strep A antigen test" },
    { "93000", "Electrocardiogram, 12 leads, with interpretation and report" },
    { "94010", "Spirometry" },
    { "94640", "Inhaled treatment for acute airway obstruction (nebulizer or inhaler)" },
    { "94760", "Pulse oximetry, single reading" },
    /* Injections and immunization administration */
    { "90460", "Vaccine administration through age 18 with counseling, first component" },
    { "90461", "Vaccine administration through age 18 with counseling, each added component" },
    { "90471", "Vaccine administration by injection, first vaccine" },
    { "90472", "Vaccine administration by injection, each added vaccine" },
    { "96372", "Therapeutic injection, under the skin or into muscle" },
    { "20550", "Injection into a tendon sheath or ligament" },
    { "20610", "Joint aspiration or injection, major joint or bursa, without ultrasound" },
    /* Small office procedures */
    { "10060", "Incision and drainage of a skin abscess, simple or single" },
    { "11102", "Skin biopsy by tangential (shave) technique, first lesion" },
    { "12001", "Simple repair of a superficial wound of scalp, neck, trunk or limbs, 2.5 cm or less" },
    { "17000", "Destruction of a premalignant skin lesion, first lesion" },
    { "17003", "Destruction of premalignant skin lesions, 2 to 14, each" },
    { "17110", "Destruction of benign skin lesions such as warts, up to 14" },
    { "69209", "Removal of impacted ear wax by irrigation, one ear" },
    { "69210", "Removal of impacted ear wax with instruments, one ear" },
    /* HCPCS Level II */
    { "G0008", "Administration of influenza vaccine (Medicare)" },
    { "G0009", "Administration of pneumococcal vaccine (Medicare)" },
    { "G0438", "Annual wellness visit, first (Medicare)" },
    { "G0439", "Annual wellness visit, subsequent (Medicare)" },
    { "G0442", "Annual alcohol misuse screening, 15 minutes (Medicare)" },
    { "G0444", "Annual depression screening, 5 to 15 minutes (Medicare)" },
    { "G2211", "Office visit complexity add-on: continuing focal point of care, or ongoing care of a serious or complex condition (Medicare)" },
    { "J0696", "Ceftriaxone sodium injection, per 250 mg" },
    { "J1030", "Methylprednisolone acetate injection, 40 mg" },
    { "J1100", "Dexamethasone sodium phosphate injection, 1 mg" },
    { "J1885", "Ketorolac tromethamine injection, per 15 mg" },
    { "J3301", "Triamcinolone acetonide injection, not otherwise specified, per 10 mg" },
};

const size_t codes_procedure_count = sizeof codes_procedure / sizeof codes_procedure[0];
