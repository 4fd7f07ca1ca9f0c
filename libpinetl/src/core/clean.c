/* Record intake: one record in, one row out: scan, reject (with a message naming the byte or
 * field) or clean; rejects made by the io layer; the public pinetl_batch_clean_records. The batch's
 * storage (batch.c) is below this file and never calls into it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "rules.h"
#include "util/error.h"
#include "util/alloc.h"

enum { MEMBERS_MAX = 32, EXCERPT_MAX = 60 };

/* The value's JSON text for a message, cut at a character boundary when long. */
static void excerpt(const json_value *v, char *buf, size_t cap) {
    size_t n = v->len;
    int cut = 0;
    if (n > EXCERPT_MAX) {
        n = EXCERPT_MAX;
        while (n && ((unsigned char)v->start[n] & 0xC0) == 0x80)
            n--;
        cut = 1;
    }
    snprintf(buf, cap, "%.*s%s", (int)n, v->start, cut ? "..." : "");
}

static const char *type_name(json_type t) {
    switch (t) {
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_NUMBER: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    default: return "an object";
    }
}

/* A member's field number; escaped keys are compared decoded. */
static int member_field(pinetl_table table, const json_value *key) {
    if (!key->escaped)
        return pinetl__clean_field_index(table, key->start + 1, key->len - 2);
    char buf[128];
    if (key->len > sizeof buf)
        return -1; /* far longer than any key we read */
    long n = pinetl__json_string_decode(key, buf);
    return n < 0 ? -1 : pinetl__clean_field_index(table, buf, (size_t)n);
}

static int reject_record(pinetl_batch *b, int code, const char *msg, const char *rec, size_t len,
                         int64_t line, int64_t offset) {
    return pinetl__batch_reject_row(b, code, msg, rec, len, line, offset);
}

int pinetl__batch_add_record(pinetl_batch *b, const char *rec, size_t len, int64_t line,
                             int64_t offset) {
    return pinetl__batch_add_checked(b, rec, len, line, offset, 0);
}

int pinetl__batch_add_checked(pinetl_batch *b, const char *rec, size_t len, int64_t line,
                              int64_t offset, int utf8_checked) {
    char msg[256];
    json_value root;
    json_error err;
    size_t count = 0;

    if (!b->members) {
        b->members = pinetl__malloc(MEMBERS_MAX * sizeof *b->members);
        if (!b->members)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory cleaning a record");
        b->members_cap = MEMBERS_MAX;
    }
    if (pinetl__json_parse_members_utf8(rec, rec + len, &root, b->members, b->members_cap, &count,
                                        &err, utf8_checked)) {
        size_t bad = err.offset;
        /* Bytes that are not UTF-8 anywhere make the record invalid_utf8, whatever failed first. */
        if (err.utf8 || !pinetl__json_utf8_valid(rec, len, &bad)) {
            snprintf(msg, sizeof msg, "invalid UTF-8 at byte %zu", bad);
            return reject_record(b, PINETL_REJECT_UTF8, msg, rec, len, line, offset);
        }
        snprintf(msg, sizeof msg, "invalid JSON at byte %zu: %s", err.offset, err.what);
        return reject_record(b, PINETL_REJECT_JSON, msg, rec, len, line, offset);
    }
    return pinetl__batch_add_parsed(b, rec, len, &root, count <= b->members_cap ? b->members : NULL,
                                    count, line, offset);
}

int pinetl__batch_add_parsed(pinetl_batch *b, const char *rec, size_t len, const json_value *root,
                             const json_member *members, size_t count, int64_t line,
                             int64_t offset) {
    char msg[256];

    if (!b->nsources && pinetl__batch_set_source(b, NULL))
        return PINETL_ENOMEM;
    b->scratch.len = 0;
    /* The rules' scratch (len bytes), then the decoded texts (len + 1: a user name's space). */
    if (pinetl__batch_reserve_row(b) || pinetl__buf_reserve(&b->scratch, 2 * len + 2))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory cleaning a record");
    if (root->type != JSON_OBJECT) {
        snprintf(msg, sizeof msg, "not an object: the record is %s", type_name(root->type));
        return reject_record(b, PINETL_REJECT_NOT_OBJECT, msg, rec, len, line, offset);
    }

    json_value f[CLEAN_MAX_FIELDS];
    uint32_t present = 0;
    if (members) {
        for (size_t i = 0; i < count; i++) {
            int k = member_field(b->table, &members[i].key);
            if (k < 0)
                continue;
            f[k] = members[i].value; /* the last duplicate wins */
            present |= 1u << k;
        }
    } else {
        json_iter it;
        json_value key, val;
        pinetl__json_iter_object(&it, root);
        while (pinetl__json_iter_member(&it, &key, &val)) {
            int k = member_field(b->table, &key);
            if (k < 0)
                continue;
            f[k] = val;
            present |= 1u << k;
        }
    }

    const char *kname = b->table == PINETL_TABLE_PIN ? "index" : "ind";
    int64_t key = 0;
    if (b->table == PINETL_TABLE_PIN && !(present & 1) && (present >> CLEAN_PIN_IND) & 1) {
        f[0] = f[CLEAN_PIN_IND]; /* a cleaned pin (spec 2, cleaned records as input) */
        present |= 1;
        kname = "ind";
    }
    if (!(present & 1)) {
        snprintf(msg, sizeof msg, "field '%s' is missing", kname);
        return reject_record(b, PINETL_REJECT_KEY, msg, rec, len, line, offset);
    }
    if (f[0].type == JSON_NULL) {
        snprintf(msg, sizeof msg, "field '%s' is null", kname);
        return reject_record(b, PINETL_REJECT_KEY, msg, rec, len, line, offset);
    }
    int kr = pinetl__rule_integral(&f[0], b->scratch.p, &key);
    if (kr != DEC_OK) {
        char ex[EXCERPT_MAX + 8];
        excerpt(&f[0], ex, sizeof ex);
        snprintf(msg, sizeof msg, "field '%s': %s %s", kname, ex,
                 kr == DEC_OVERFLOW ? "is outside int64" : "is not an integer");
        return reject_record(b, PINETL_REJECT_KEY, msg, rec, len, line, offset);
    }

    size_t r = b->rows;
    b->status[r] = PINETL_REJECT_NONE;
    b->warnings[r] = 0;
    b->escape[r] = 0;
    b->lines[r] = line;
    b->offsets[r] = offset;
    b->source_ids[r] = b->source;
    clean_value v[PINETL_MAX_COLUMNS];
    v[0] = (clean_value){.state = RULE_VALUE, .i64 = key};
    pinetl__clean_values(b->table, b->select, f, present, b->scratch.p, b->scratch.p + len + 1, v);
    if (b->direct) {
        /* One pass: the row goes straight to the render; no column holds it. */
        if (pinetl__render_direct(b, v))
            return PINETL_ENOMEM;
    } else {
        bit_set(b->cols[0].validity, r);
        b->cols[0].i64[r] = key;
        if (pinetl__clean_store(b, r, v))
            return pinetl__error_set(PINETL_ENOMEM, "out of memory cleaning a record");
        pinetl__batch_changed(b);
    }
    b->rows++;
    return PINETL_OK;
}

/* Record intake from outside: rejects made by the io layer and pre-split records. */

int pinetl__batch_add_reject(pinetl_batch *b, int code, const char *message, const char *raw,
                             size_t raw_len, int64_t line, int64_t offset) {
    if (code <= 0 || code >= PINETL_REJECT_CODES)
        return pinetl__error_set(PINETL_EINVAL, "pinetl__batch_add_reject: bad reject code %d",
                                 code);
    return pinetl__batch_reject_row(b, code, message ? message : "", raw ? raw : "",
                                    raw ? raw_len : 0, line, offset);
}

int pinetl_clean_options_init(pinetl_clean_options *o, unsigned version) {
    if (!o || version != PINETL_CLEAN_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_clean_options_init: %s",
                                 o ? "unknown version" : "NULL options");
    memset(o, 0, sizeof *o);
    o->version = version;
    o->input_format = PINETL_INPUT_AUTO;
    o->first_line = 1;
    return PINETL_OK;
}

int pinetl_batch_clean_records(pinetl_batch *b, const char *blob, const int64_t *offsets, size_t n,
                               const pinetl_clean_options *options) {
    pinetl_clean_options def;
    if (!b || (n && (!offsets || !blob)))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_clean_records: NULL argument");
    if (!options) {
        pinetl_clean_options_init(&def, PINETL_CLEAN_OPTIONS_VERSION);
        options = &def;
    }
    if (pinetl__error_options("pinetl_batch_clean_records", options, options->version,
                              PINETL_CLEAN_OPTIONS_VERSION))
        return PINETL_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (offsets[i] < 0 || offsets[i + 1] < offsets[i])
            return pinetl__error_set(
                PINETL_EINVAL, "pinetl_batch_clean_records: offsets[%zu..%zu] decrease", i, i + 1);
    int rc = pinetl__batch_set_source(b, options->source);
    if (rc)
        return rc;
    int64_t base = offsets && n ? offsets[0] : 0;
    for (size_t i = 0; i < n; i++) {
        const char *rec = blob + offsets[i];
        size_t len = (size_t)(offsets[i + 1] - offsets[i]);
        int64_t line = options->first_line + (int64_t)i;
        int64_t off = options->first_offset + (offsets[i] - base);
        if (len == 0)
            rc = pinetl__batch_reject_row(b, PINETL_REJECT_JSON, "empty record", rec, 0, line, off);
        else
            rc = pinetl__batch_add_record(b, rec, len, line, off);
        if (rc)
            return rc;
    }
    return PINETL_OK;
}
