/* drugs.h - the drug knowledge prescribing relies on: prescribable
 * products (RxNorm clinical drugs), their ingredients, drug classes, the
 * interactions between ingredients or classes, and which drug allergies
 * cross-react.
 *
 * Everything a prescribing check needs goes through a drug_kb: a set of
 * tables and the small lookups below. The built-in knowledge base
 * (drugs_table.c) is a short, documented list of commonly prescribed
 * ambulatory drugs whose RxNorm codes were each checked against published
 * sources (docs/workflows.md, "Prescribing"); a practice that licenses a
 * full drug knowledge base replaces it by filling a drug_kb from that
 * source and returning it from drug_kb_current(). Nothing else changes:
 * the checks (rx_check.h), the /api and the FHIR written only see a
 * drug_kb.
 *
 * Terms. A class is named by its id ("penicillin", "nsaid"); an ingredient
 * by its name ("warfarin"), lower case, as RxNorm spells the ingredient.
 * Interaction and cross-reaction rows name either, and the lookups accept
 * both. An ingredient's RxNorm code is NULL when it could not be verified:
 * such an ingredient is still matched by name.
 *
 * All data is static and read-only; every function is safe from any
 * thread and allocates nothing. */
#ifndef SW_CLINICAL_DRUGS_H
#define SW_CLINICAL_DRUGS_H

#include <stdbool.h>
#include <stddef.h>

#define DRUG_RXNORM_SYSTEM "http://www.nlm.nih.gov/research/umls/rxnorm"
#define DRUG_MAX_INGREDIENTS 3
#define DRUG_MAX_CLASSES 3
#define DRUG_MAX_ALIASES 3
#define DRUG_SEARCH_MAX 20

typedef struct drug_class {
    const char *id;                 /* "penicillin" */
    const char *name;               /* "penicillins", for messages */
    /* Words a free-text allergy or medication uses for the whole class
     * ("penicillin", "sulfa"); matched as whole words, plural allowed. */
    const char *aliases[DRUG_MAX_ALIASES + 1];
    /* An allergy to one member is an allergy to the class: the severity
     * of the alert for another member ("high", "moderate"), or NULL when
     * the class is no allergy group (statins, SSRIs). */
    const char *allergy_severity;
} drug_class;

typedef struct drug_ingredient {
    const char *rxnorm;             /* RxNorm IN code, or NULL (see above) */
    const char *name;               /* "amoxicillin" */
    const char *classes[DRUG_MAX_CLASSES + 1];     /* class ids */
} drug_ingredient;

typedef struct drug_product {
    const char *rxnorm;             /* RxNorm SCD code */
    const char *name;               /* "amoxicillin 500 MG Oral Capsule" */
    const char *ingredients[DRUG_MAX_INGREDIENTS + 1];  /* ingredient names */
    const char *dose;               /* the usual adult dose: "500 mg" */
    const char *route;              /* "oral" */
    const char *frequency;          /* "three times daily" */
} drug_product;

/* Taking `a` and `b` together (ingredient names or class ids). */
typedef struct drug_interaction {
    const char *a;
    const char *b;
    const char *severity;           /* "high", "moderate", "low" */
    const char *message;            /* one line for the prescriber */
} drug_interaction;

/* An allergy to `allergy` (a class) alerts on a drug of class `drug`. */
typedef struct drug_cross_reaction {
    const char *allergy;
    const char *drug;
    const char *severity;
    const char *message;
} drug_cross_reaction;

typedef struct drug_kb {
    const char                *name;        /* "built-in" */
    const drug_class          *classes;
    size_t                     nclasses;
    const drug_ingredient     *ingredients;
    size_t                     ningredients;
    const drug_product        *products;
    size_t                     nproducts;
    const drug_interaction    *interactions;
    size_t                     ninteractions;
    const drug_cross_reaction *cross;
    size_t                     ncross;
} drug_kb;

/* The knowledge base the server uses (today the built-in one). */
const drug_kb *drug_kb_current(void);
/* The built-in tables (drugs_table.c). */
const drug_kb *drug_kb_builtin(void);

/* A product by its RxNorm code; NULL when unknown. */
const drug_product *drug_product_find(const drug_kb *kb, const char *rxnorm);
/* Products whose code starts with q, or whose name, ingredient or class
 * contains every word of q (ASCII case ignored); at most max, in table
 * order. An empty q matches nothing. */
size_t drug_search(const drug_kb *kb, const char *q, const drug_product **out,
                   size_t max);
/* An ingredient by its RxNorm code, or by its name (ASCII case ignored). */
const drug_ingredient *drug_ingredient_by_code(const drug_kb *kb,
                                               const char *rxnorm);
const drug_ingredient *drug_ingredient_named(const drug_kb *kb,
                                             const char *name);
/* A class by id. */
const drug_class *drug_class_find(const drug_kb *kb, const char *id);
/* Whether ingredient `ing` is named by term (its name or one of its
 * class ids). */
bool drug_ingredient_is(const drug_ingredient *ing, const char *term);
/* Whether term names an ingredient or class of kb. */
bool drug_term_known(const drug_kb *kb, const char *term);

/* What a piece of free text ("Penicillin G", "sulfa drugs", "warfarin 5mg
 * daily") names: the ingredients and classes it mentions as whole words.
 * Each out array gets at most max entries; the counts are returned
 * through n_ing and n_cls. */
void drug_terms_in_text(const drug_kb *kb, const char *text,
                        const drug_ingredient **ing, size_t *n_ing,
                        const drug_class **cls, size_t *n_cls, size_t max);

#endif
