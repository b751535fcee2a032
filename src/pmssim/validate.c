/* validate.c - the checks a billing system makes on a DFT^P03 before it
 * posts the charges, so that the simulator rejects (AE) what a real PMS
 * would: the patient (PID-3), and on every FT1 the date of service (FT1-4),
 * the transaction type (FT1-6: CG charge or CR credit), the procedure code
 * (FT1-7) and the performing provider (FT1-20). Every problem becomes one
 * ERR segment naming the field (HL7 table 0357: 100 segment missing, 101
 * required field missing, 102 data type error, 103 table value not found),
 * all of them in one answer. Messages other than DFT are not checked. */
#include "pmssim/pmssim_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void add(pmssim_errors *out, const char *segment, int field,
                const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(pmssim_errors *out, const char *segment, int field,
                const char *code, const char *fmt, ...)
{
    if (out->n >= PMSSIM_MAX_ERRORS)
        return;
    char *text = out->text[out->n];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof out->text[0], fmt, ap);
    va_end(ap);
    out->items[out->n] = (hl7_ack_error){ .segment = segment, .field = field,
                                          .component = 0, .code = code,
                                          .text = text };
    out->n++;
}

static bool present(const char *s)
{
    return s != NULL && s != HL7_NULL_TEXT && s[0] != '\0';
}

/* An HL7 DTM: at least YYYYMMDD, digits first. */
static bool is_date(const char *s)
{
    size_t n = strlen(s);
    if (n < 8)
        return false;
    for (size_t i = 0; i < 8; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void check_ft1(const hl7_message *m, size_t i, pmssim_errors *out)
{
    const char *date = hl7_get(m, "FT1", i, 4, 1, 1, 1);
    if (!present(date))
        add(out, "FT1", 4, "101", "FT1-4 (date of service) is missing on "
            "FT1 %zu", i);
    else if (!is_date(date))
        add(out, "FT1", 4, "102", "FT1-4 (date of service) on FT1 %zu is not "
            "a date: %s", i, date);

    const char *type = hl7_get(m, "FT1", i, 6, 1, 1, 1);
    if (!present(type))
        add(out, "FT1", 6, "101", "FT1-6 (transaction type, CG or CR) is "
            "missing on FT1 %zu", i);
    else if (strcmp(type, "CG") != 0 && strcmp(type, "CR") != 0)
        add(out, "FT1", 6, "103", "FT1-6 (transaction type) on FT1 %zu must "
            "be CG or CR, not %s", i, type);

    if (!present(hl7_get(m, "FT1", i, 7, 1, 1, 1)))
        add(out, "FT1", 7, "101", "FT1-7 (transaction code) is missing on "
            "FT1 %zu", i);
    if (!present(hl7_get(m, "FT1", i, 20, 1, 1, 1)))
        add(out, "FT1", 20, "101", "FT1-20 (performed by, the provider's "
            "NPI) is missing on FT1 %zu", i);
}

void pmssim_validate(const hl7_message *m, pmssim_errors *out)
{
    out->n = 0;
    const char *type = hl7_get(m, "MSH", 1, 9, 1, 1, 1);
    if (type == NULL || strcmp(type, "DFT") != 0)
        return;
    if (hl7_segment_find(m, "PID", 1) == NULL)
        add(out, "PID", 0, "100", "the PID segment is missing");
    else if (!present(hl7_get(m, "PID", 1, 3, 1, 1, 1)))
        add(out, "PID", 3, "101", "PID-3 (patient identifier) is "
            "missing");
    if (hl7_segment_find(m, "FT1", 1) == NULL)
        add(out, "FT1", 0, "100", "the message has no FT1 segment: nothing "
            "to post");
    for (size_t i = 1; hl7_segment_find(m, "FT1", i) != NULL; i++)
        check_ft1(m, i, out);
}
