/* vaccines.c - the CVX table (see vaccines.h) and its lookups.
 *
 * Sources, for every row:
 *   [D] tests/data/synthea: the Immunization resources of the demo's
 *       Synthea patients (code and display as they appear there);
 *   [S] Synthea's immunization schedule
 *       (synthetichealth/synthea src/main/resources/immunization_schedule.json);
 *   [C] the CDC CVX table ("CVX Short Description"), as loaded by the
 *       HL7 terminology server (HealthIntersections/fhirserver sql/tx_db.sql);
 *   [P] public FHIR code that records the vaccine with this code and
 *       display (zoster recombinant, licensed after the CDC copy above).
 * Where Synthea's display differs from the CDC short description, the
 * one the demo data carries is kept, so imported and recorded doses read
 * the same. Retired formulations and "unspecified formulation" codes are
 * left out: they are for historical records, not for doses given today. */
#include "vaccines.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const vaccine table[] = {
    /* Influenza */
    { "140", "Influenza, seasonal, injectable, preservative free", "flu influenza IIV3" },  /* D S C */
    { "141", "Influenza, seasonal, injectable", "flu influenza IIV3" },                     /* C */
    { "150", "influenza, injectable, quadrivalent, preservative free", "flu influenza IIV4" }, /* C */
    { "149", "influenza, live, intranasal, quadrivalent", "flu influenza nasal LAIV4" },   /* C */
    /* Tetanus, diphtheria, pertussis */
    { "115", "Tdap", "tetanus diphtheria pertussis whooping cough" },                      /* D S C */
    { "113", "Td (adult), 5 Lf tetanus toxoid, preservative free, adsorbed", "tetanus diphtheria" }, /* D S */
    { "20",  "DTaP", "diphtheria tetanus pertussis whooping cough" },                      /* D S C */
    { "110", "DTaP-Hep B-IPV", "diphtheria tetanus pertussis hepatitis polio combination" }, /* C */
    { "120", "DTaP-Hib-IPV", "diphtheria tetanus pertussis haemophilus Hib polio combination" }, /* C */
    /* Pneumococcal */
    { "133", "Pneumococcal conjugate PCV 13", "pneumococcal pneumonia PCV13" },           /* S C */
    { "33",  "pneumococcal polysaccharide PPV23", "pneumococcal pneumonia PPSV23" },      /* S C */
    /* Zoster */
    { "187", "zoster vaccine recombinant", "shingles zoster RZV Shingrix" },              /* P */
    { "121", "zoster vaccine, live", "shingles zoster ZVL" },                             /* S */
    /* Hepatitis */
    { "43",  "Hep B, adult", "hepatitis B HepB" },                                        /* D S C */
    { "08",  "Hep B, adolescent or pediatric", "hepatitis B HepB" },                      /* S C */
    { "52",  "Hep A, adult", "hepatitis A HepA" },                                        /* S C */
    { "83",  "Hep A, ped/adol, 2 dose", "hepatitis A HepA" },                             /* S C */
    { "104", "Hep A-Hep B", "hepatitis A B combination" },                                /* C */
    /* Human papillomavirus */
    { "62",  "HPV, quadrivalent", "human papillomavirus HPV4" },                          /* D S C */
    /* Measles, mumps, rubella, varicella */
    { "03",  "MMR", "measles mumps rubella" },                                            /* D S C */
    { "21",  "varicella", "chickenpox varicella VAR" },                                   /* D S */
    { "94",  "MMRV", "measles mumps rubella varicella chickenpox" },                      /* C */
    /* Polio, Haemophilus influenzae type b, rotavirus */
    { "10",  "IPV", "polio poliovirus inactivated" },                                     /* D S C */
    { "49",  "Hib (PRP-OMP)", "haemophilus type b Hib" },                      /* S C */
    { "48",  "Hib (PRP-T)", "haemophilus type b Hib" },                        /* C */
    { "119", "rotavirus, monovalent", "rotavirus RV1" },                                  /* S C */
    { "116", "rotavirus, pentavalent", "rotavirus RV5" },                                 /* C */
    /* Meningococcal */
    { "114", "meningococcal MCV4P", "meningococcal meningitis MenACWY" },                 /* D S C */
    { "136", "Meningococcal MCV4O", "meningococcal meningitis MenACWY" },                 /* C */
    { "162", "meningococcal B, recombinant", "meningococcal meningitis MenB" },           /* C */
    /* COVID-19 */
    { "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "covid coronavirus SARS-CoV-2 mRNA" }, /* D */
};

const vaccine *vaccine_table(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

const vaccine *vaccine_find(const char *cvx)
{
    for (size_t i = 0; cvx && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].cvx, cvx) == 0)
            return &table[i];
    return NULL;
}

/* Whether needle occurs in hay, ASCII case ignored. */
static bool contains_nocase(const char *hay, const char *needle, size_t n)
{
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

size_t vaccine_search(const char *q, const vaccine **out, size_t cap)
{
    size_t qn = q ? strlen(q) : 0, found = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        const vaccine *v = &table[i];
        bool match = qn == 0 || strncmp(v->cvx, q, qn) == 0
                     || contains_nocase(v->display, q, qn)
                     || contains_nocase(v->keywords, q, qn);
        if (!match)
            continue;
        if (found < cap)
            out[found] = v;
        found++;
    }
    return found;
}
