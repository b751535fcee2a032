/* search.h - FHIR search, answered from the index tables (index.h).
 *
 * A search is parsed once from its parameters (query string or _search
 * form body) into criteria, then run as SQL over fhir_resource and the
 * fhir_idx_* tables; stored JSON is never parsed to decide a match. The
 * REST handler (GET /fhir/{type}?…, POST /fhir/{type}/_search) builds the
 * searchset Bundle; other parts of the FHIR layer use the same parsed
 * search inside their own transactions: conditional create (If-None-Exist)
 * and conditional references in transaction Bundles ask "which ids match?".
 *
 * Ownership: everything lives in the arena passed in. */
#ifndef SW_FHIR_SEARCH_H
#define SW_FHIR_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/limits.h"
#include "fhir/index.h"
#include "fhir/validate.h"
#include "http/http.h"
#include "store/store.h"

typedef struct fhir_search fhir_search;

/* Parses the parameters of a search on resource type `type`. Unknown or
 * unsupported parameters and malformed values are errors in issues (the
 * caller answers 400) unless lenient, in which case they are dropped and
 * reported as warnings in issues. SW_OK or SW_EBADREQUEST or SW_ENOMEM. */
int fhir_search_parse(sw_arena *a, const char *type, const http_param *params,
                      int nparams, bool lenient, fhir_search **out,
                      fhir_issues *issues);

/* Parses a query string ("identifier=http://x|123&active=true"), as in
 * If-None-Exist and conditional references. */
int fhir_search_parse_query(sw_arena *a, const char *type, const char *query,
                            fhir_search **out, fhir_issues *issues);

/* Inside a read or write transaction: the ids of the current, undeleted
 * resources matching s, at most max of them (in id order), and whether
 * there were more. */
int fhir_search_match_ids(store_tx *tx, sw_arena *a, int64_t practice_id,
                          const fhir_search *s, size_t max, const char ***ids,
                          size_t *n, bool *more);

/* The REST handlers (rest_search.c). */
int fhir_get_search(sw_request *req, sw_response *res);
int fhir_post_search(sw_request *req, sw_response *res);

/* ======================================================================
 * The parsed search and the engine's own interfaces. What follows is for
 * the files of the search engine (search_*.c, rest_search.c); other
 * callers use only the functions above and treat fhir_search as opaque.
 * docs/fhir-search.md explains the SQL each criterion becomes.
 * ====================================================================== */


/* Comparison prefixes of number, date and quantity values. */
typedef enum fhir_search_prefix {
    FHIR_PREFIX_EQ, FHIR_PREFIX_NE, FHIR_PREFIX_GT, FHIR_PREFIX_LT,
    FHIR_PREFIX_GE, FHIR_PREFIX_LE, FHIR_PREFIX_SA, FHIR_PREFIX_EB,
    FHIR_PREFIX_AP,
} fhir_search_prefix;

typedef enum fhir_search_modifier {
    FHIR_MOD_NONE,
    FHIR_MOD_MISSING,     /* any type: value true|false */
    FHIR_MOD_EXACT,       /* string */
    FHIR_MOD_CONTAINS,    /* string */
    FHIR_MOD_TEXT,        /* token */
    FHIR_MOD_NOT,         /* token */
    FHIR_MOD_TYPE,        /* reference: subject:Patient (the type in type_mod) */
    FHIR_MOD_BELOW,       /* uri */
    FHIR_MOD_ABOVE,       /* uri */
} fhir_search_modifier;

/* Where a criterion or sort key looks: an index table (fhir_index_kind),
 * or one of the columns of fhir_resource that stand for _id and
 * _lastUpdated. */
typedef enum fhir_search_column {
    FHIR_COL_INDEX,       /* the table of `kind` */
    FHIR_COL_ID,          /* fhir_resource.res_id */
    FHIR_COL_UPDATED,     /* fhir_resource.updated_ms */
} fhir_search_column;

/* One value of a criterion (values of one parameter are ORed). Which
 * fields mean something depends on the parameter's type:
 *   string     s1 normalized (prefix, :contains), s2 as given (:exact)
 *   token      s1 system (NULL: any, "": none), s2 code (NULL: any),
 *              s3 normalized text (:text)
 *   reference  s1 type (NULL: any), s2 id; or s3 an absolute URL
 *   uri        s1
 *   date       lo..hi, the value's range in ms, both ends included
 *   number     num, and [num_lo, num_hi) its implicit precision
 *   quantity   as number, plus s1 system (NULL: any), s2 code or unit
 *   _id        s1
 *   :missing   missing */
typedef struct fhir_search_value {
    fhir_search_prefix prefix;
    const char        *s1, *s2, *s3;
    int64_t            lo, hi;
    double             num, num_lo, num_hi;
    bool               missing;
} fhir_search_value;

typedef struct fhir_search_crit fhir_search_crit;

/* A chained reference (subject:Patient.name=x): the resources of `type`
 * that match crit; a chain lists one per possible target type (ORed). */
typedef struct fhir_search_chain {
    const char       *type;
    fhir_search_crit *crit;
} fhir_search_chain;

struct fhir_search_crit {
    const char          *name;      /* as written, for messages */
    const char          *code;      /* the parameter's code in the index */
    fhir_index_kind      kind;
    fhir_search_column   column;
    fhir_search_modifier modifier;
    const char          *type_mod;  /* FHIR_MOD_TYPE: the resource type */
    fhir_search_chain   *chain;     /* NULL unless chained */
    size_t               nchain;
    fhir_search_value   *values;    /* ORed */
    size_t               nvalues;
};

typedef struct fhir_search_sort {
    const char         *code;
    fhir_index_kind     kind;
    fhir_search_column  column;
    bool                desc;
} fhir_search_sort;

/* One _include (rev false: resources the matches point at through
 * source:param) or _revinclude (rev true: resources of type source whose
 * param points at a match); target NULL: any type. */
typedef struct fhir_search_include {
    bool        rev;
    const char *source;
    const char *param;
    const char *target;
} fhir_search_include;

typedef enum fhir_search_total {
    FHIR_TOTAL_ACCURATE,      /* the default */
    FHIR_TOTAL_ESTIMATE,      /* answered exactly, too */
    FHIR_TOTAL_NONE,
} fhir_search_total;

typedef enum fhir_search_summary {
    FHIR_SUMMARY_FALSE,       /* the default: whole resources */
    FHIR_SUMMARY_COUNT,       /* total only */
    FHIR_SUMMARY_TEXT,        /* text, id, meta and mandatory elements */
    FHIR_SUMMARY_DATA,        /* all but text */
} fhir_search_summary;

/* A position in the result order, from a _page token: the sort key
 * values and res_id of a boundary row. backward: the page holds the rows
 * before it (a previous link); inclusive: the boundary row itself too. */
typedef struct fhir_search_key {
    bool        null;
    int64_t     i;            /* date, _lastUpdated keys */
    double      d;            /* number, quantity keys */
    const char *s;            /* text keys */
} fhir_search_key;

typedef struct fhir_search_cursor {
    bool            set;
    bool            backward;
    bool            inclusive;
    fhir_search_key keys[FHIR_SEARCH_MAX_SORT];
    const char     *id;
} fhir_search_cursor;

struct fhir_search {
    const char          *type;
    fhir_search_crit    *crits;       /* ANDed */
    size_t               ncrits;
    fhir_search_sort    *sorts;
    size_t               nsorts;
    fhir_search_include *includes;
    size_t               nincludes;
    const char         **elements;    /* _elements; NULL when absent */
    size_t               nelements;
    int                  count;       /* page size */
    fhir_search_total    total;
    fhir_search_summary  summary;
    fhir_search_cursor   cursor;
    /* The parameters that were used, as given (without _page, _count and
     * _format), for the self, next and previous links. */
    http_param          *echo;
    int                  necho;
    /* The server's base URL ("http://host/fhir"), set by the REST handler:
     * absolute references to it are matched as local ones. May be NULL. */
    const char          *base;
};

/* Whether the engine searches by tp (compiled by the generator, and of a
 * type with an index table): what the CapabilityStatement lists. */
bool fhir_search_param_usable(const fhir_type_param *tp);
/* The result parameters the engine takes (_count, _sort, ...), with one
 * sentence each, for the CapabilityStatement; *n gets their number. */
typedef struct fhir_search_common {
    const char *name;
    const char *type;          /* the SearchParamType closest to it */
    const char *doc;
} fhir_search_common;
const fhir_search_common *fhir_search_common_params(size_t *n);

/* ---- Values (search_value.c) --------------------------------------------- */

/* Splits a value at unescaped `sep` (',' or '|'): at most max parts, each
 * still escaped; false when there are more. */
bool fhir_search_split(const char *value, char sep, sw_str *parts, size_t max,
                       size_t *n);
/* Removes FHIR search escapes (\, \| \$ \\) from one part. */
char *fhir_search_unescape(sw_arena *a, sw_str part);
/* Parses one value of a parameter of type t (already split at commas and
 * unescaped where the type has no inner '|'); NULL on success, else why
 * not, as a phrase ("is not a date"). */
const char *fhir_search_value_parse(sw_arena *a, fhir_param_type t,
                                    fhir_search_modifier mod, sw_str raw,
                                    fhir_search_value *out);
/* The implicit range of a decimal lexeme ("100" -> [99.5, 100.5)). */
bool fhir_search_number_range(sw_str lexeme, double *value, double *lo,
                              double *hi);
/* The least string greater than every string starting with prefix (its
 * last code point incremented), for prefix matches as byte ranges; NULL
 * when there is none. */
char *fhir_search_prefix_end(sw_arena *a, const char *prefix);

/* ---- Page tokens (search_page.c) ----------------------------------------- */

/* How a sort key's values are compared and carried in page tokens. */
typedef enum fhir_search_key_type {
    FHIR_KEY_TEXT,            /* string, token, reference, uri, _id */
    FHIR_KEY_INT,             /* date, _lastUpdated (ms) */
    FHIR_KEY_REAL,            /* number, quantity */
} fhir_search_key_type;

fhir_search_key_type fhir_search_key_type_of(const fhir_search_sort *so);

/* Encodes a cursor of s into an opaque URL-safe token. */
char *fhir_search_page_encode(sw_arena *a, const fhir_search *s,
                              const fhir_search_cursor *c);
/* Decodes a token given with s's sort order into s->cursor; SW_OK or
 * SW_EBADREQUEST (malformed, or made for another sort order). */
int fhir_search_page_decode(sw_arena *a, fhir_search *s, const char *token);

/* ---- Statements (search_sql.c) ------------------------------------------- */

/* Ids per IN list of the statements below. */
#define FHIR_SEARCH_IN_CHUNK 256

/* How a search's statements start: from which criterion (an index into
 * s->crits, -1 for none), and whether the other criteria are probed per
 * row of it (when it is known to be small) or left to the planner. */
typedef struct fhir_search_plan {
    int  driver;
    bool probe;
} fhir_search_plan;

/* Chooses the plan: when several criteria could drive, each is counted on
 * its index up to a small limit and the least common wins (ties by
 * parameter type). */
int fhir_search_sql_plan(store_tx *tx, sw_arena *a, int64_t practice_id,
                         const fhir_search *s, fhir_search_plan *plan);

/* Each prepares a statement with its values bound, inside tx; plan is
 * what fhir_search_sql_plan chose.
 * count:   SELECT count(*) of the matches of s.
 * page:    SELECT res_id, then one column per sort key, of the matches of
 *          s in the result order after c (before it when c->backward, in
 *          reverse order), at most limit rows; c NULL or unset: from the
 *          start.
 * bodies:  SELECT res_id, version, updated_ms, body of the undeleted
 *          resources of type among ids (n <= FHIR_SEARCH_IN_CHUNK).
 * include: for inc->rev false, SELECT target_type, target_id of inc's
 *          references from the resources ids (of inc->source); for rev
 *          true, SELECT res_id of the inc->source resources whose
 *          inc->param points at ids (of type `type`); with repeats. */
int fhir_search_sql_count(store_tx *tx, sw_arena *a, int64_t practice_id,
                          const fhir_search *s, const fhir_search_plan *plan,
                          store_stmt **st);
int fhir_search_sql_page(store_tx *tx, sw_arena *a, int64_t practice_id,
                         const fhir_search *s, const fhir_search_plan *plan,
                         const fhir_search_cursor *c, int limit, store_stmt **st);
int fhir_search_sql_bodies(store_tx *tx, sw_arena *a, int64_t practice_id,
                           const char *type, const char *const *ids, size_t n,
                           store_stmt **st);
int fhir_search_sql_include(store_tx *tx, sw_arena *a, int64_t practice_id,
                            const char *type, const fhir_search_include *inc,
                            const char *const *ids, size_t n, store_stmt **st);

/* ---- Running (search_run.c) ---------------------------------------------- */

typedef struct fhir_search_hit {
    const char *type;
    const char *id;
    int64_t     version;
    int64_t     updated_ms;
    const char *body;          /* the stored JSON */
    size_t      body_len;
    bool        include;       /* search.mode include (else match) */
} fhir_search_hit;

typedef struct fhir_search_result {
    int64_t          total;       /* -1 when not counted */
    fhir_search_hit *hits;        /* the matches in order, then includes */
    size_t           nmatch;
    size_t           nhits;
    const char      *self;        /* page tokens, NULL when there is none */
    const char      *next;        /* (self: NULL for the first page) */
    const char      *prev;
    bool             truncated;   /* includes stopped at FHIR_SEARCH_MAX_INCLUDED */
} fhir_search_result;

/* Inside a read transaction: the total, the page s->cursor asks for and
 * its includes. May be run again on the same out (store retries). */
int fhir_search_run(store_tx *tx, sw_arena *a, int64_t practice_id,
                    const fhir_search *s, fhir_search_result *out);

/* ---- Subsetting (search_subset.c) ---------------------------------------- */

/* Whether s asks for parts of resources (_elements, _summary text/data). */
bool fhir_search_subsets(const fhir_search *s);
/* The stored resource cut down as s asks and tagged SUBSETTED. */
int fhir_search_subset(sw_arena *a, const fhir_search *s, const char *body,
                       size_t len, sw_json **out);

#endif
