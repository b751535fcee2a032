/* orders_catalog.h - the tests and studies a clinician can order: common
 * ambulatory laboratory tests and panels and plain imaging, each with its
 * LOINC code (docs/workflows.md, "Orders").
 *
 * The table is data, read-only and small (tens of rows): searching it is a
 * linear scan, done as the user types. A lab test that is one analyte
 * carries the units and the adult reference interval most laboratories
 * report; a result that arrives without its own range is flagged against
 * these (the laboratory's own range always wins). Panels carry none: each
 * analyte of a panel arrives with its own. */
#ifndef SW_CLINICAL_ORDERS_CATALOG_H
#define SW_CLINICAL_ORDERS_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#define ORDERS_LOINC "http://loinc.org"

typedef enum { ORDER_LAB, ORDER_IMAGING } order_category;

typedef struct order_item {
    const char    *code;        /* LOINC */
    const char    *display;     /* the LOINC display people recognise */
    order_category category;
    const char    *keywords;    /* other words people type ("a1c sugar") */
    /* Single-analyte lab tests only (unit NULL otherwise). */
    const char    *unit;        /* UCUM */
    bool           has_range;
    double         low, high;   /* the reference interval */
    bool           has_critical_low, has_critical_high;
    double         critical_low, critical_high; /* values that need a call */
} order_item;

/* The item with this LOINC code, or NULL. */
const order_item *orders_catalog_find(const char *code);
/* The whole table; *n gets its length. */
const order_item *orders_catalog_all(size_t *n);
/* Up to max items matching q: a prefix of the code, or every word of q
 * (ASCII case-insensitive) starting a word of the display or keywords. An
 * empty q matches everything. Returns how many were put in out. */
size_t orders_catalog_search(const char *q, const order_item **out, size_t max);
/* "lab" or "imaging". */
const char *orders_category_name(order_category c);
/* The category named name ("lab", "imaging"); false when unknown. */
bool orders_category_parse(const char *name, order_category *out);

#endif
