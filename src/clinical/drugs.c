/* drugs.c - lookups over a drug knowledge base (see drugs.h). The tables
 * hold a few hundred rows at most, so plain linear scans do; a knowledge
 * base of tens of thousands of products would bring its own index behind
 * the same functions. */
#include "drugs.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const drug_kb *drug_kb_current(void)
{
    return drug_kb_builtin();
}

const drug_product *drug_product_find(const drug_kb *kb, const char *rxnorm)
{
    for (size_t i = 0; rxnorm && i < kb->nproducts; i++)
        if (strcmp(kb->products[i].rxnorm, rxnorm) == 0)
            return &kb->products[i];
    return NULL;
}

const drug_ingredient *drug_ingredient_by_code(const drug_kb *kb,
                                               const char *rxnorm)
{
    for (size_t i = 0; rxnorm && i < kb->ningredients; i++)
        if (kb->ingredients[i].rxnorm
            && strcmp(kb->ingredients[i].rxnorm, rxnorm) == 0)
            return &kb->ingredients[i];
    return NULL;
}

const drug_ingredient *drug_ingredient_named(const drug_kb *kb,
                                             const char *name)
{
    for (size_t i = 0; name && i < kb->ningredients; i++)
        if (strcasecmp(kb->ingredients[i].name, name) == 0)
            return &kb->ingredients[i];
    return NULL;
}

const drug_class *drug_class_find(const drug_kb *kb, const char *id)
{
    for (size_t i = 0; id && i < kb->nclasses; i++)
        if (strcmp(kb->classes[i].id, id) == 0)
            return &kb->classes[i];
    return NULL;
}

bool drug_ingredient_is(const drug_ingredient *ing, const char *term)
{
    if (strcasecmp(ing->name, term) == 0)
        return true;
    for (size_t k = 0; ing->classes[k]; k++)
        if (strcmp(ing->classes[k], term) == 0)
            return true;
    return false;
}

bool drug_term_known(const drug_kb *kb, const char *term)
{
    return drug_ingredient_named(kb, term) != NULL
           || drug_class_find(kb, term) != NULL;
}

/* Case-insensitive search for needle in hay as a whole word (a plural "s"
 * allowed after it). */
static bool has_word(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return false;
    for (const char *p = hay; *p; p++) {
        if (p != hay && isalnum((unsigned char)p[-1]))
            continue;
        if (strncasecmp(p, needle, n) != 0)
            continue;
        const char *end = p + n;
        if (*end == 's' || *end == 'S')
            end++;
        if (!isalnum((unsigned char)*end))
            return true;
    }
    return false;
}

/* Case-insensitive substring. */
static bool contains(const char *hay, const char *needle, size_t n)
{
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

/* Whether word (n bytes) appears in the product's name, one of its
 * ingredients' names or one of their classes. */
static bool product_mentions(const drug_kb *kb, const drug_product *p,
                             const char *word, size_t n)
{
    if (contains(p->name, word, n))
        return true;
    for (size_t i = 0; p->ingredients[i]; i++) {
        const drug_ingredient *ing = drug_ingredient_named(kb, p->ingredients[i]);
        if (contains(p->ingredients[i], word, n))
            return true;
        for (size_t k = 0; ing && ing->classes[k]; k++) {
            const drug_class *c = drug_class_find(kb, ing->classes[k]);
            if (contains(ing->classes[k], word, n)
                || (c && contains(c->name, word, n)))
                return true;
        }
    }
    return false;
}

size_t drug_search(const drug_kb *kb, const char *q, const drug_product **out,
                   size_t max)
{
    size_t found = 0;
    while (q && isspace((unsigned char)*q))
        q++;
    if (q == NULL || *q == '\0')
        return 0;
    bool digits = true;
    for (const char *p = q; *p && !isspace((unsigned char)*p); p++)
        digits = digits && isdigit((unsigned char)*p);
    for (size_t i = 0; i < kb->nproducts && found < max; i++) {
        const drug_product *p = &kb->products[i];
        bool match;
        if (digits) {
            match = strncmp(p->rxnorm, q, strlen(q)) == 0;
        } else {
            match = true;
            for (const char *w = q; match && *w;) {
                while (isspace((unsigned char)*w))
                    w++;
                size_t n = 0;
                while (w[n] && !isspace((unsigned char)w[n]))
                    n++;
                if (n > 0)
                    match = product_mentions(kb, p, w, n);
                w += n;
            }
        }
        if (match)
            out[found++] = p;
    }
    return found;
}

void drug_terms_in_text(const drug_kb *kb, const char *text,
                        const drug_ingredient **ing, size_t *n_ing,
                        const drug_class **cls, size_t *n_cls, size_t max)
{
    *n_ing = *n_cls = 0;
    if (text == NULL)
        return;
    for (size_t i = 0; i < kb->ningredients && *n_ing < max; i++)
        if (has_word(text, kb->ingredients[i].name))
            ing[(*n_ing)++] = &kb->ingredients[i];
    for (size_t i = 0; i < kb->nclasses && *n_cls < max; i++)
        for (size_t k = 0; kb->classes[i].aliases[k]; k++)
            if (has_word(text, kb->classes[i].aliases[k])) {
                cls[(*n_cls)++] = &kb->classes[i];
                break;
            }
}
