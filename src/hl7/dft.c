/* dft.c - composing and checking the DFT^P03 of a visit's charges from
 * plain structs (see dft.h; the field-by-field profile is in
 * docs/hl7-interface.md). Called by the outbox when a charge is queued
 * or resent: a few messages a minute, a handful of lines each. */
#include "hl7/dft.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hl7/writer.h"

bool dft_npi_valid(const char *npi)
{
    if (npi == NULL || strlen(npi) != 10)
        return false;
    for (int i = 0; i < 10; i++)
        if (!isdigit((unsigned char)npi[i]))
            return false;
    /* Luhn over 80840 + the first nine digits: the prefix contributes 24
     * (its own doubled and plain digits), then every other digit of the
     * nine is doubled starting from the rightmost. */
    int sum = 24;
    for (int i = 8; i >= 0; i--) {
        int d = npi[i] - '0';
        if ((8 - i) % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (10 - sum % 10) % 10 == npi[9] - '0';
}

const char *dft_place_of_service(const char *encounter_class)
{
    if (encounter_class && strcmp(encounter_class, "VR") == 0)
        return "02";
    if (encounter_class && strcmp(encounter_class, "HH") == 0)
        return "12";
    return "11";
}

static bool blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* One sentence more, after a space when there are some already. */
static void say(sw_buf *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(sw_buf *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why->len > 0)
        sw_buf_putc(why, ' ');
    sw_buf_vprintf(why, fmt, ap);
    va_end(ap);
}

int dft_validate(const dft_input *in, sw_buf *why)
{
    int rc = SW_OK;
    for (size_t i = 0; i < in->nlines; i++) {
        const dft_line *l = &in->lines[i];
        size_t before = why->len;
        const char *who = l->provider.label ? l->provider.label : "of this charge";
        if (!l->found) {
            say(why, "FT1 %zu: charge %s no longer exists; queue the visit's "
                "charges again.", i + 1, l->charge_id);
        } else {
            if (blank(l->code))
                say(why, "FT1 %zu: the charge has no CPT or HCPCS code; "
                    "correct the charge with a code and resend.", i + 1);
            if (blank(l->service_date))
                say(why, "FT1 %zu: the charge has no date of service; correct "
                    "it and resend.", i + 1);
            if (!l->has_provider)
                say(why, "FT1 %zu: the charge has no rendering provider; "
                    "correct it and resend.", i + 1);
            else if (!l->provider.linked)
                say(why, "FT1 %zu: the rendering provider %s has no "
                    "Practitioner record to hold an NPI; link their account "
                    "to one with their NPI and resend.", i + 1, who);
            else if (blank(l->provider.npi))
                say(why, "FT1 %zu: the rendering provider %s has no NPI; add "
                    "it to their Practitioner record and resend.", i + 1, who);
            else if (!dft_npi_valid(l->provider.npi))
                say(why, "FT1 %zu: the rendering provider %s has the NPI "
                    "%.16s, whose check digit is wrong; correct it in their "
                    "Practitioner record and resend.", i + 1, who,
                    l->provider.npi);
        }
        if (why->len != before)
            rc = SW_EINVAL;
    }
    if (in->nlines == 0) {
        say(why, "the message has no charge line.");
        rc = SW_EINVAL;
    }
    return rc;
}

/* An HL7 DT (YYYYMMDD) of a FHIR date or dateTime, "" when it is not one. */
static void hl7_date(const char *fhir, char out[9])
{
    out[0] = '\0';
    if (fhir == NULL || strlen(fhir) < 10 || fhir[4] != '-' || fhir[7] != '-')
        return;
    snprintf(out, 9, "%.4s%.2s%.2s", fhir, fhir + 5, fhir + 8);
}

/* An HL7 DTM of a FHIR dateTime, keeping its local time and offset
 * ("2026-11-25T09:00:00-05:00" -> "20261125090000-0500"); a bare date
 * gives YYYYMMDD. */
static void hl7_datetime(const char *fhir, char out[24])
{
    char date[9];
    hl7_date(fhir, date);
    snprintf(out, 24, "%s", date);
    if (date[0] == '\0' || strlen(fhir) < 19 || fhir[10] != 'T')
        return;
    const char *t = fhir + 11;   /* hh:mm:ss */
    const char *z = t + 8;
    while (*z == '.' || isdigit((unsigned char)*z))
        z++;
    char zone[6] = "";
    if (*z == 'Z')
        snprintf(zone, sizeof zone, "+0000");
    else if ((*z == '+' || *z == '-') && strlen(z) >= 6)
        snprintf(zone, sizeof zone, "%c%.2s%.2s", *z, z + 1, z + 4);
    snprintf(out, 24, "%s%.2s%.2s%.2s%s", date, t, t + 3, t + 6, zone);
}

static char sex_code(const char *gender)
{
    if (gender == NULL)
        return 'U';
    if (strcmp(gender, "male") == 0)
        return 'M';
    if (strcmp(gender, "female") == 0)
        return 'F';
    if (strcmp(gender, "other") == 0)
        return 'O';
    return 'U';
}

/* An XCN: NPI^family^given^^^^^^NPI^^^^NPI (assigning authority and
 * identifier type both NPI). */
static void put_provider(hl7_writer *w, const dft_provider *p, bool first)
{
    if (first)
        hl7_w_field(w, p ? p->npi : NULL);
    else
        hl7_w_rep(w, p ? p->npi : NULL);
    if (p == NULL)
        return;
    hl7_w_comp(w, p->family);
    hl7_w_comp(w, p->given);
    for (int i = 0; i < 5; i++)
        hl7_w_comp(w, NULL);
    hl7_w_comp(w, "NPI");          /* XCN-9 assigning authority */
    for (int i = 0; i < 3; i++)
        hl7_w_comp(w, NULL);
    hl7_w_comp(w, "NPI");          /* XCN-13 identifier type */
}

static void put_pid(hl7_writer *w, const dft_input *in)
{
    hl7_w_segment(w, "PID");
    hl7_w_field(w, "1");                                  /* PID-1 */
    hl7_w_skip(w, 1);                                     /* PID-2 */
    for (size_t i = 0; i < in->nids; i++) {               /* PID-3 */
        if (i == 0)
            hl7_w_field(w, in->ids[i].value);
        else
            hl7_w_rep(w, in->ids[i].value);
        hl7_w_comp(w, NULL);
        hl7_w_comp(w, NULL);
        hl7_w_comp(w, in->ids[i].authority);
        hl7_w_comp(w, in->ids[i].type);
    }
    if (in->nids == 0)
        hl7_w_skip(w, 1);
    hl7_w_skip(w, 1);                                     /* PID-4 */
    hl7_w_field(w, in->family);                           /* PID-5 */
    hl7_w_comp(w, in->given);
    hl7_w_comp(w, in->middle);
    hl7_w_skip(w, 1);                                     /* PID-6 */
    char dob[9];
    hl7_date(in->birth_date, dob);
    hl7_w_field(w, dob);                                  /* PID-7 */
    char sex[2] = { sex_code(in->gender), '\0' };
    hl7_w_field(w, sex);                                  /* PID-8 */
}

static void put_pv1(hl7_writer *w, const dft_input *in)
{
    hl7_w_segment(w, "PV1");
    hl7_w_field(w, "1");                                  /* PV1-1 */
    hl7_w_field(w, "O");                                  /* PV1-2 outpatient */
    hl7_w_skip(w, 4);                                     /* PV1-3..6 */
    put_provider(w, in->attending, true);                 /* PV1-7 */
    put_provider(w, in->attending, true);                 /* PV1-8 */
    hl7_w_skip(w, 10);                                    /* PV1-9..18 */
    hl7_w_field(w, in->encounter_id);                     /* PV1-19 */
    hl7_w_skip(w, 24);                                    /* PV1-20..43 */
    char start[24];
    hl7_datetime(in->encounter_start, start);
    hl7_w_field(w, start);                                /* PV1-44 */
}

/* A CE: code^text^coding system. */
static void put_ce(hl7_writer *w, bool rep, const char *code,
                   const char *text, const char *system)
{
    if (rep)
        hl7_w_rep(w, code);
    else
        hl7_w_field(w, code);
    hl7_w_comp(w, text);
    hl7_w_comp(w, system);
}

static void put_ft1(hl7_writer *w, const dft_input *in, size_t i)
{
    const dft_line *l = &in->lines[i];
    const char *system = l->hcpcs ? "HCPCS" : "C4";
    char when[15], dos[9];
    hl7_time(in->now_ms, when);
    hl7_date(l->service_date, dos);
    hl7_w_segment(w, "FT1");
    hl7_w_fieldf(w, "%zu", i + 1);                        /* FT1-1 */
    hl7_w_field(w, l->charge_id);                         /* FT1-2 */
    hl7_w_skip(w, 1);                                     /* FT1-3 */
    hl7_w_field(w, dos);                                  /* FT1-4 */
    hl7_w_field(w, when);                                 /* FT1-5 */
    hl7_w_field(w, l->credit ? "CR" : "CG");              /* FT1-6 */
    put_ce(w, false, l->code, l->display, system);        /* FT1-7 */
    hl7_w_skip(w, 2);                                     /* FT1-8, 9 */
    hl7_w_fieldf(w, "%d", l->units);                     /* FT1-10 */
    hl7_w_skip(w, 5);                                     /* FT1-11..15 */
    hl7_w_field(w, dft_place_of_service(in->encounter_class)); /* FT1-16 */
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, NULL);
    hl7_w_comp(w, in->facility);
    hl7_w_skip(w, 2);                                     /* FT1-17, 18 */
    for (size_t k = 0; k < l->ndx; k++)                   /* FT1-19 */
        put_ce(w, k > 0, l->dx[k].code, l->dx[k].display, "I10");
    if (l->ndx == 0)
        hl7_w_skip(w, 1);
    put_provider(w, l->has_provider ? &l->provider : NULL, true); /* FT1-20 */
    hl7_w_skip(w, 4);                                     /* FT1-21..24 */
    put_ce(w, false, l->code, l->display, system);        /* FT1-25 */
    for (size_t k = 0; k < l->nmodifiers; k++)            /* FT1-26 */
        if (k == 0)
            hl7_w_field(w, l->modifiers[k]);
        else
            hl7_w_rep(w, l->modifiers[k]);
}

static void put_dg1(hl7_writer *w, const dft_input *in, size_t i)
{
    const dft_diagnosis *d = &in->dx[i];
    hl7_w_segment(w, "DG1");
    hl7_w_fieldf(w, "%zu", i + 1);                        /* DG1-1 */
    hl7_w_skip(w, 1);                                     /* DG1-2 */
    put_ce(w, false, d->code.code, d->code.display, "I10"); /* DG1-3 */
    hl7_w_skip(w, 2);                                     /* DG1-4, 5 */
    hl7_w_field(w, "F");                                  /* DG1-6 final */
    hl7_w_skip(w, 8);                                     /* DG1-7..14 */
    if (d->rank > 0)
        hl7_w_fieldf(w, "%d", d->rank);                   /* DG1-15 */
}

int dft_build(const dft_input *in, sw_buf *out)
{
    hl7_writer w;
    char when[15];
    hl7_time(in->now_ms, when);
    hl7_w_begin(&w, out);
    hl7_w_msh(&w, &(hl7_msh){
        .sending_app = "STAGEWISE", .sending_facility = in->facility,
        .now_ms = in->now_ms, .type = "DFT^P03^DFT_P03",
        .control_id = in->control_id, .processing_id = in->processing_id,
    });
    hl7_w_segment(&w, "EVN");
    hl7_w_field(&w, "P03");                               /* EVN-1 */
    hl7_w_field(&w, when);                                /* EVN-2 */
    put_pid(&w, in);
    put_pv1(&w, in);
    for (size_t i = 0; i < in->nlines; i++)
        put_ft1(&w, in, i);
    for (size_t i = 0; i < in->ndx; i++)
        put_dg1(&w, in, i);
    return hl7_w_end(&w);
}
