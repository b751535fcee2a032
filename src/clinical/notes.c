/* notes.c - the visit note's templates, its sections as XHTML narratives
 * and the Compositions of a note and its addenda (see notes.h). */
#include "notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const note_section_def note_sections[NOTE_SECTIONS] = {
    [NOTE_SUBJECTIVE] = { "subjective", "Subjective", "61150-9", "Subjective Narrative" },
    [NOTE_OBJECTIVE]  = { "objective",  "Objective",  "61149-1", "Objective Narrative" },
    [NOTE_ASSESSMENT] = { "assessment", "Assessment", "51848-0", "Evaluation note" },
    [NOTE_PLAN]       = { "plan",       "Plan",       "18776-5", "Plan of care note" },
};

static const note_template templates[] = {
    { "new-patient", "New patient visit", "new-patient", {
        "Chief complaint:\nHistory of present illness:\nPast medical history:\n"
        "Past surgical history:\nMedications:\nAllergies:\nFamily history:\n"
        "Social history (tobacco, alcohol, occupation):\nReview of systems:",
        "Vital signs:\nGeneral:\nHEENT:\nNeck:\nHeart:\nLungs:\nAbdomen:\n"
        "Extremities:\nSkin:\nNeurologic:\nPsychiatric:",
        "Problem list reviewed.\n1.",
        "1.\nFollow-up:" } },
    { "follow-up", "Follow-up / chronic care visit", "follow-up", {
        "Here for follow-up of:\nSince last visit:\nMedication adherence and "
        "side effects:\nHome readings (blood pressure, glucose):",
        "Vital signs:\nGeneral:\nHeart:\nLungs:\nExtremities:",
        "1.  - control:",
        "Continue current medications.\nLabs:\nFollow-up in:" } },
    { "acute", "Acute (sick) visit", "acute", {
        "Chief complaint:\nOnset and duration:\nSeverity:\nAssociated "
        "symptoms:\nTried so far:\nSick contacts:",
        "Vital signs:\nGeneral:\nFocused exam:",
        "1.",
        "Treatment:\nReturn precautions given; return if worse or not better "
        "in:" } },
    { "wellness", "Annual wellness / preventive visit", "wellness", {
        "Interval history:\nDiet and exercise:\nSleep:\nMood (PHQ-2):\n"
        "Tobacco, alcohol, substance use:\nFalls in the past year:",
        "Vital signs and BMI:\nGeneral:\nHeart:\nLungs:\nAbdomen:\nSkin:",
        "Healthy adult, preventive care.",
        "Screenings due:\nImmunizations due:\nCounseling:\nNext annual "
        "visit in 12 months." } },
};

const note_template *note_templates(size_t *n)
{
    *n = sizeof templates / sizeof templates[0];
    return templates;
}

const note_template *note_template_find(const char *id)
{
    for (size_t i = 0; id && i < sizeof templates / sizeof templates[0]; i++)
        if (strcmp(templates[i].id, id) == 0)
            return &templates[i];
    return NULL;
}

int note_text_check(const char *text, const char *what, sw_err *err)
{
    if (text == NULL)
        return sw_err_set(err, SW_EINVAL, "\"%s\" must be a string", what);
    size_t n = strlen(text);
    if (n > NOTE_TEXT_MAX)
        return sw_err_set(err, SW_EINVAL, "\"%s\" is at most %d bytes", what,
                          NOTE_TEXT_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return sw_err_set(err, SW_EINVAL, "\"%s\" holds a control "
                              "character; send plain text", what);
    }
    return SW_OK;
}

bool note_text_blank(const char *text)
{
    for (const char *p = text ? text : ""; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    return true;
}

int note_div(const char *text, sw_buf *out)
{
    int rc = sw_buf_puts(out, "<div xmlns=\"" NOTE_XHTML_NS "\">");
    for (const char *p = text; rc == SW_OK && *p; p++) {
        switch (*p) {
        case '&':  rc = sw_buf_puts(out, "&amp;"); break;
        case '<':  rc = sw_buf_puts(out, "&lt;"); break;
        case '>':  rc = sw_buf_puts(out, "&gt;"); break;
        case '"':  rc = sw_buf_puts(out, "&quot;"); break;
        case '\'': rc = sw_buf_puts(out, "&#39;"); break;
        case '\r': rc = sw_buf_puts(out, "&#13;"); break;
        case '\n': rc = sw_buf_puts(out, "<br/>"); break;
        default:   rc = sw_buf_putc(out, *p); break;
        }
    }
    if (rc == SW_OK)
        rc = sw_buf_puts(out, "</div>");
    return rc;
}

/* Appends code point cp as UTF-8. */
static int put_utf8(sw_buf *b, unsigned long cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
    } else if (cp < 0x110000) {
        u[0] = (char)(0xf0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
    } else {
        return SW_OK;
    }
    return sw_buf_append(b, u, n);
}

/* Decodes the character reference at p (just after '&'); *len gets its
 * length up to and including ';', 0 when it is none. */
static int entity(sw_buf *b, const char *p, size_t *len)
{
    static const struct { const char *name; char c; } named[] = {
        { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' },
        { "apos;", '\'' }, { "nbsp;", ' ' },
    };
    *len = 0;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        size_t n = strlen(named[i].name);
        if (strncmp(p, named[i].name, n) == 0) {
            *len = n;
            return sw_buf_putc(b, named[i].c);
        }
    }
    if (p[0] != '#')
        return SW_OK;
    char *end;
    bool hex = p[1] == 'x' || p[1] == 'X';
    unsigned long cp = strtoul(p + (hex ? 2 : 1), &end, hex ? 16 : 10);
    if (*end != ';' || end == p + (hex ? 2 : 1))
        return SW_OK;
    *len = (size_t)(end - p) + 1;
    return put_utf8(b, cp);
}

char *note_div_text(const char *div)
{
    sw_buf b = SW_BUF_INIT(4 * NOTE_TEXT_MAX);
    const char *p = div ? div : "";
    /* Skip the outer <div …> and stop at its </div>. */
    if (strncmp(p, "<div", 4) == 0 && strchr(p, '>'))
        p = strchr(p, '>') + 1;
    size_t n = strlen(p);
    if (n >= 6 && strcmp(p + n - 6, "</div>") == 0)
        n -= 6;
    int rc = SW_OK;
    for (size_t i = 0; rc == SW_OK && i < n; i++) {
        if (p[i] == '<') {
            const char *close = memchr(p + i, '>', n - i);
            if (close == NULL)
                break;
            if (strncmp(p + i, "<br", 3) == 0 && (p[i + 3] == '/' || p[i + 3] == '>'
                                                  || p[i + 3] == ' '))
                rc = sw_buf_putc(&b, '\n');
            i = (size_t)(close - p);
        } else if (p[i] == '&') {
            size_t len;
            rc = entity(&b, p + i + 1, &len);
            if (rc == SW_OK && len == 0)
                rc = sw_buf_putc(&b, '&');
            i += len;
        } else {
            rc = sw_buf_putc(&b, p[i]);
        }
    }
    char *text = rc == SW_OK ? strdup(sw_buf_str(&b)) : NULL;
    sw_buf_free(&b);
    return text;
}

static json_t *loinc(const char *code, const char *display)
{
    return json_pack("{s:[{s:s, s:s, s:s}], s:s}", "coding", "system",
                     NOTE_LOINC, "code", code, "display", display, "text",
                     display);
}

static json_t *ref(const char *type, const char *id)
{
    char r[160];
    snprintf(r, sizeof r, "%s/%s", type, id);
    return json_pack("{s:s}", "reference", r);
}

static json_t *narrative(const char *text)
{
    sw_buf div = SW_BUF_INIT(8 * NOTE_TEXT_MAX);
    json_t *n = NULL;
    if (note_div(text, &div) == SW_OK)
        n = json_pack("{s:s, s:s}", "status", "additional", "div",
                      sw_buf_str(&div));
    sw_buf_free(&div);
    return n;
}

json_t *note_composition(const note_input *in)
{
    json_t *c = json_pack("{s:s}", "resourceType", "Composition");
    if (c == NULL)
        return NULL;
    if (in->template_id)
        json_object_set_new(c, "extension", json_pack("[{s:s, s:s}]", "url",
                            NOTE_EXT_TEMPLATE, "valueString", in->template_id));
    json_object_set_new(c, "status", json_string("preliminary"));
    json_object_set_new(c, "type", loinc(NOTE_TYPE_CODE, NOTE_TYPE_DISPLAY));
    json_object_set_new(c, "subject", ref("Patient", in->patient_id));
    json_object_set_new(c, "encounter", ref("Encounter", in->encounter_id));
    json_object_set_new(c, "date", json_string(in->date));
    json_object_set_new(c, "author", json_pack("[O]", in->author));
    json_object_set_new(c, "title", json_string(NOTE_TYPE_DISPLAY));
    json_t *sections = json_array();
    for (int i = 0; sections && i < NOTE_SECTIONS; i++) {
        if (note_text_blank(in->sections[i]))
            continue;
        const note_section_def *d = &note_sections[i];
        json_array_append_new(sections, json_pack("{s:s, s:o, s:o*}", "title",
                              d->title, "code", loinc(d->loinc, d->loinc_display),
                              "text", narrative(in->sections[i])));
    }
    if (sections && json_array_size(sections) > 0)
        json_object_set_new(c, "section", sections);
    else
        json_decref(sections);
    return c;
}

/* Which section a stored section is, by its LOINC code, or -1. */
static int section_index(json_t *section)
{
    json_t *coding;
    size_t i;
    json_array_foreach(json_object_get(json_object_get(section, "code"), "coding"), i, coding) {
        const char *code = json_string_value(json_object_get(coding, "code"));
        for (int k = 0; code && k < NOTE_SECTIONS; k++)
            if (strcmp(code, note_sections[k].loinc) == 0)
                return k;
    }
    return -1;
}

json_t *note_sections_of(json_t *composition)
{
    json_t *out = json_object();
    for (int k = 0; out && k < NOTE_SECTIONS; k++)
        json_object_set_new(out, note_sections[k].name, json_string(""));
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(composition, "section"), i, s) {
        int k = section_index(s);
        const char *div = json_string_value(json_object_get(json_object_get(s, "text"), "div"));
        if (k < 0 || div == NULL)
            continue;
        char *text = note_div_text(div);
        if (text == NULL) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, note_sections[k].name, json_string(text));
        free(text);
    }
    return out;
}

const char *note_template_of(json_t *composition)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(composition, "extension"), i, e) {
        const char *url = json_string_value(json_object_get(e, "url"));
        if (url && strcmp(url, NOTE_EXT_TEMPLATE) == 0)
            return json_string_value(json_object_get(e, "valueString"));
    }
    return NULL;
}

int note_sign(json_t *composition, json_t *party, const char *at)
{
    json_object_del(composition, "meta");
    if (json_object_set_new(composition, "status", json_string("final")) != 0
        || json_object_set_new(composition, "attester", json_pack("[{s:s, s:s, s:O}]",
                               "mode", "legal", "time", at, "party", party)) != 0)
        return SW_ENOMEM;
    return SW_OK;
}

json_t *note_addendum(const char *note_id, const char *patient_id,
                      const char *encounter_id, json_t *author,
                      const char *at, const char *text)
{
    char target[160];
    snprintf(target, sizeof target, "Composition/%s", note_id);
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:[O], s:s, "
                     "s:[{s:s, s:s, s:O}], s:[{s:s, s:{s:s}}], s:[{s:s, s:o*}]}",
                     "resourceType", "Composition", "status", "final",
                     "type", loinc(NOTE_TYPE_CODE, NOTE_TYPE_DISPLAY),
                     "subject", ref("Patient", patient_id),
                     "encounter", ref("Encounter", encounter_id),
                     "date", at, "author", author, "title", "Addendum",
                     "attester", "mode", "legal", "time", at, "party", author,
                     "relatesTo", "code", "appends", "targetReference",
                     "reference", target,
                     "section", "title", "Addendum", "text", narrative(text));
}

char *note_addendum_text(json_t *addendum)
{
    json_t *s = json_array_get(json_object_get(addendum, "section"), 0);
    return note_div_text(json_string_value(json_object_get(json_object_get(s, "text"), "div")));
}

bool note_is_addendum(json_t *composition)
{
    json_t *r;
    size_t i;
    json_array_foreach(json_object_get(composition, "relatesTo"), i, r) {
        const char *code = json_string_value(json_object_get(r, "code"));
        if (code && strcmp(code, "appends") == 0)
            return true;
    }
    return false;
}
