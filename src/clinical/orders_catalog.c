/* orders_catalog.c - the order catalog's table and its search (see
 * orders_catalog.h).
 *
 * Sources. Every code was checked against real data before it was added:
 * 58410-2 (CBC panel) and 24357-6 (urinalysis dipstick panel) are the codes
 * Synthea writes (tests/data/synthea); the others appear with these
 * displays in published FHIR resources and LOINC-coded interfaces (HbA1c
 * 4548-4, glucose 2345-7, lipid panel 57698-3, CMP 24323-8, BMP 51990-0,
 * TSH 3016-3, PSA 2857-1, 25-hydroxyvitamin D 62292-8, INR 6301-6, chest
 * X-ray 2 views 36643-5, screening mammogram 24606-6). Displays follow the
 * LOINC long common name or short name.
 *
 * Reference intervals are the usual adult ones (conventional US units);
 * critical limits are the ones most laboratories phone through (glucose
 * below 40 or above 450 mg/dL, INR above 5). A laboratory's own range, sent
 * with the result, always replaces these. */
#include "orders_catalog.h"

#include <ctype.h>
#include <strings.h>
#include <string.h>

static const order_item catalog[] = {
    /* Laboratory: single analytes, with units and ranges. */
    { .code = "4548-4", .display = "Hemoglobin A1c/Hemoglobin.total in Blood",
      .category = ORDER_LAB, .keywords = "HbA1c A1c glycated hemoglobin diabetes",
      .unit = "%", .has_range = true, .low = 4.0, .high = 5.6 },
    { .code = "2345-7", .display = "Glucose [Mass/volume] in Serum or Plasma",
      .category = ORDER_LAB, .keywords = "glucose sugar blood sugar",
      .unit = "mg/dL", .has_range = true, .low = 70, .high = 99,
      .has_critical_low = true, .critical_low = 40,
      .has_critical_high = true, .critical_high = 450 },
    { .code = "3016-3", .display = "Thyrotropin [Units/volume] in Serum or Plasma",
      .category = ORDER_LAB, .keywords = "TSH thyroid stimulating hormone",
      .unit = "m[IU]/L", .has_range = true, .low = 0.4, .high = 4.0 },
    { .code = "2857-1", .display = "Prostate specific Ag [Mass/volume] in Serum or Plasma",
      .category = ORDER_LAB, .keywords = "PSA prostate specific antigen",
      .unit = "ng/mL", .has_range = true, .low = 0, .high = 4.0 },
    { .code = "62292-8", .display = "25-hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma",
      .category = ORDER_LAB, .keywords = "vitamin D 25-OH 25 hydroxy",
      .unit = "ng/mL", .has_range = true, .low = 30, .high = 100 },
    { .code = "6301-6", .display = "INR in Platelet poor plasma by Coagulation assay",
      .category = ORDER_LAB, .keywords = "INR PT prothrombin coagulation warfarin",
      .unit = "{INR}", .has_range = true, .low = 0.8, .high = 1.1,
      .has_critical_high = true, .critical_high = 5.0 },
    /* Laboratory: panels (each analyte arrives with its own range). */
    { .code = "57698-3", .display = "Lipid panel with direct LDL - Serum or Plasma",
      .category = ORDER_LAB, .keywords = "lipids cholesterol LDL HDL triglycerides" },
    { .code = "58410-2", .display = "CBC panel - Blood by Automated count",
      .category = ORDER_LAB, .keywords = "CBC complete blood count hemogram" },
    { .code = "24323-8", .display = "Comprehensive metabolic 2000 panel - Serum or Plasma",
      .category = ORDER_LAB, .keywords = "CMP comprehensive metabolic panel liver" },
    { .code = "51990-0", .display = "Basic metabolic panel - Blood",
      .category = ORDER_LAB, .keywords = "BMP basic metabolic panel electrolytes" },
    { .code = "24357-6", .display = "Urinalysis macro (dipstick) panel - Urine",
      .category = ORDER_LAB, .keywords = "UA urinalysis urine dipstick" },
    /* Imaging. */
    { .code = "36643-5", .display = "XR Chest 2 Views",
      .category = ORDER_IMAGING, .keywords = "chest X-ray CXR radiograph PA lateral" },
    { .code = "24606-6", .display = "MG Breast Screening",
      .category = ORDER_IMAGING, .keywords = "mammogram mammography screening breast" },
};

#define CATALOG_N (sizeof catalog / sizeof catalog[0])

const order_item *orders_catalog_find(const char *code)
{
    for (size_t i = 0; code && i < CATALOG_N; i++)
        if (strcmp(catalog[i].code, code) == 0)
            return &catalog[i];
    return NULL;
}

const order_item *orders_catalog_all(size_t *n)
{
    *n = CATALOG_N;
    return catalog;
}

const char *orders_category_name(order_category c)
{
    return c == ORDER_IMAGING ? "imaging" : "lab";
}

bool orders_category_parse(const char *name, order_category *out)
{
    if (name && strcmp(name, "lab") == 0)
        *out = ORDER_LAB;
    else if (name && strcmp(name, "imaging") == 0)
        *out = ORDER_IMAGING;
    else
        return false;
    return true;
}

/* Whether the n bytes at word start a word of text (words are separated by
 * anything that is not a letter or digit), ignoring ASCII case. */
static bool starts_a_word(const char *text, const char *word, size_t n)
{
    for (const char *p = text; *p; p++) {
        bool at_start = p == text || !isalnum((unsigned char)p[-1]);
        if (at_start && strncasecmp(p, word, n) == 0)
            return true;
    }
    return false;
}

static bool matches(const order_item *it, const char *q)
{
    size_t qn = strlen(q);
    if (strncmp(it->code, q, qn) == 0)
        return true;
    /* Every word of q must start a word of the display or keywords. */
    const char *p = q;
    bool any = false;
    while (*p) {
        while (*p && !isalnum((unsigned char)*p))
            p++;
        size_t n = 0;
        while (p[n] && isalnum((unsigned char)p[n]))
            n++;
        if (n == 0)
            break;
        if (!starts_a_word(it->display, p, n) && !starts_a_word(it->keywords, p, n))
            return false;
        any = true;
        p += n;
    }
    return any;
}

size_t orders_catalog_search(const char *q, const order_item **out, size_t max)
{
    size_t n = 0;
    bool all = q == NULL || q[strspn(q, " \t")] == '\0';
    for (size_t i = 0; i < CATALOG_N && n < max; i++)
        if (all || matches(&catalog[i], q))
            out[n++] = &catalog[i];
    return n;
}
