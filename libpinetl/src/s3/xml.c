/* Streaming parse of S3's XML (xml.h) with expat: entities (&amp; in a key) and CDATA come out
 * decoded, and a page of 1000 keys is never held as a whole. Keys are taken as the XML carries
 * them: listings are requested without encoding-type=url (docs/s3.md, "The '+' finding"). */
#include "xml.h"

#include <string.h>

#include "dl.h"
#include "util/alloc.h"
#include "util/error.h"

/* The elements read; everything else is skipped. */
enum { EL_OTHER, EL_KEY, EL_TRUNCATED, EL_TOKEN, EL_CODE, EL_MESSAGE };

struct pinetl__s3_xml {
    const pinetl__expat_api *x;
    XML_Parser p;
    pinetl__strlist *keys;
    int depth, in_contents, el, oom, truncated;
    pinetl__buf text;
    char *token, *code, *message;
};

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs) {
    (void)attrs;
    pinetl__s3_xml *s = ud;
    s->depth++;
    s->el = EL_OTHER;
    s->text.len = 0;
    if (s->text.p)
        s->text.p[0] = '\0';
    /* ListBucketResult (1) > Contents (2) > Key (3); Error (1) > Code, Message (2). */
    if (s->depth == 2 && !strcmp(name, "Contents"))
        s->in_contents = 1;
    else if (s->depth == 3 && s->in_contents && !strcmp(name, "Key"))
        s->el = EL_KEY;
    else if (s->depth == 2 && !strcmp(name, "IsTruncated"))
        s->el = EL_TRUNCATED;
    else if (s->depth == 2 && !strcmp(name, "NextContinuationToken"))
        s->el = EL_TOKEN;
    else if (s->depth == 2 && !strcmp(name, "Code"))
        s->el = EL_CODE;
    else if (s->depth == 2 && !strcmp(name, "Message"))
        s->el = EL_MESSAGE;
}

static void XMLCALL on_text(void *ud, const XML_Char *t, int len) {
    pinetl__s3_xml *s = ud;
    if (s->el != EL_OTHER && pinetl__buf_append(&s->text, t, (size_t)len))
        s->oom = 1;
}

static void take(pinetl__s3_xml *s, char **slot) {
    pinetl__free(*slot);
    if (!(*slot = pinetl__strdup(s->text.p ? s->text.p : "")))
        s->oom = 1;
}

static void XMLCALL on_end(void *ud, const XML_Char *name) {
    pinetl__s3_xml *s = ud;
    if (s->el == EL_KEY && s->keys && pinetl__strlist_push(s->keys, s->text.p ? s->text.p : ""))
        s->oom = 1;
    else if (s->el == EL_TRUNCATED)
        s->truncated = s->text.p && !strcmp(s->text.p, "true");
    else if (s->el == EL_TOKEN)
        take(s, &s->token);
    else if (s->el == EL_CODE)
        take(s, &s->code);
    else if (s->el == EL_MESSAGE)
        take(s, &s->message);
    if (s->depth == 2 && !strcmp(name, "Contents"))
        s->in_contents = 0;
    s->el = EL_OTHER;
    s->depth--;
}

int pinetl__s3_xml_new(pinetl__s3_xml **out, pinetl__strlist *keys) {
    *out = NULL;
    const pinetl__expat_api *x;
    int rc = pinetl__s3_expat(&x);
    if (rc)
        return rc;
    pinetl__s3_xml *s = pinetl__calloc(1, sizeof *s);
    if (!s || !(s->p = x->parser_create(NULL))) {
        pinetl__free(s);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory parsing an S3 answer");
    }
    s->x = x;
    s->keys = keys;
    x->set_user_data(s->p, s);
    x->set_element_handler(s->p, on_start, on_end);
    x->set_character_data_handler(s->p, on_text);
    *out = s;
    return PINETL_OK;
}

int pinetl__s3_xml_feed(pinetl__s3_xml *s, const char *p, size_t n, int last) {
    while (n || last) {
        int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
        int fin = last && (size_t)chunk == n;
        if (s->x->parse(s->p, p, chunk, fin) != XML_STATUS_OK)
            return pinetl__error_set(PINETL_EFORMAT, "the S3 answer is not valid XML: %s",
                                     s->x->error_string(s->x->get_error_code(s->p)));
        if (s->oom)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory parsing an S3 answer");
        p += chunk;
        n -= (size_t)chunk;
        if (fin)
            break;
    }
    return PINETL_OK;
}

int pinetl__s3_xml_truncated(const pinetl__s3_xml *s) { return s->truncated; }
const char *pinetl__s3_xml_token(const pinetl__s3_xml *s) { return s->token; }
const char *pinetl__s3_xml_code(const pinetl__s3_xml *s) { return s->code ? s->code : ""; }
const char *pinetl__s3_xml_message(const pinetl__s3_xml *s) { return s->message ? s->message : ""; }

void pinetl__s3_xml_free(pinetl__s3_xml *s) {
    if (!s)
        return;
    if (s->p)
        s->x->parser_free(s->p);
    pinetl__buf_free(&s->text);
    pinetl__free(s->token);
    pinetl__free(s->code);
    pinetl__free(s->message);
    pinetl__free(s);
}
