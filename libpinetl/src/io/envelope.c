/* Unwrapping envelopes (spec 1): JSON lines, arrays, Kafka REST bodies, Kafka consumer dumps,
 * Kinesis PutRecord / PutRecords bodies. Each record reaches pinetl__batch_add_record as a slice of the
 * input; only Kinesis string Data is decoded, into the context's reused scratch buffer. */
#include "envelope.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "core/intake.h"
#include "core/json.h"
#include "core/simd.h"
#include "util/error.h"
#include "util/alloc.h"

static const char *const format_names[] = {"auto",       "jsonl",   "array",  "kafka-rest",
                                           "kafka-dump", "kinesis", "s3-sink"};
enum { FORMAT_COUNT = sizeof format_names / sizeof format_names[0] };
_Static_assert(FORMAT_COUNT == PINETL_INPUT_S3_SINK + 1, "an input format without a name");

const char *pinetl_input_format_name(pinetl_input_format format) {
    return (int)format >= 0 && (int)format < FORMAT_COUNT ? format_names[format] : NULL;
}

int pinetl_input_format_from_name(pinetl_input_format *out, const char *name) {
    if (!name || !out)
        return pinetl__error_set(PINETL_EINVAL, "no input format given");
    for (int i = 0; i < FORMAT_COUNT; i++) {
        if (!strcmp(name, format_names[i])) {
            *out = i;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_EINVAL,
                             "unknown input format '%s' (expected auto, jsonl, array, kafka-rest, "
                             "kafka-dump, kinesis or s3-sink)",
                             name);
}

void pinetl__io_ctx_init(io_ctx *c, pinetl_batch *batch, int format, size_t max_record) {
    memset(c, 0, sizeof *c);
    c->batch = batch;
    c->format = format;
    c->max_record = max_record ? max_record : IO_MAX_RECORD_DEFAULT;
}

void pinetl__io_ctx_release(io_ctx *c) {
    pinetl__free(c->scratch);
    c->scratch = NULL;
    c->scratch_cap = 0;
    pinetl__free(c->nl);
    c->nl = NULL;
    c->nl_cap = c->nl_n = 0;
    pinetl__free(c->quotes);
    pinetl__free(c->odd);
    c->quotes = c->odd = NULL;
    c->bits_cap = 0;
}

int64_t pinetl__io_count_lines(const char *p, size_t len) {
    return (int64_t)pinetl__count_byte(p, len, '\n');
}

/* Line and source offset of p, a byte of the current top-level value; p only moves forward
 * while one value is unwrapped, so counting is linear in the value's size. */
static void position(io_ctx *c, const char *p, int64_t *line, int64_t *offset) {
    if (p < c->cur) {
        c->cur = c->vbase;
        c->cur_line = c->vbase_line;
    }
    c->cur_line += pinetl__io_count_lines(c->cur, (size_t)(p - c->cur));
    c->cur = p;
    *line = c->cur_line;
    *offset = c->vbase_offset + (p - c->vbase);
}

static const char *type_name(json_type t) {
    switch (t) {
    case JSON_NULL: return "null";
    case JSON_FALSE: return "false";
    case JSON_TRUE: return "true";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_ARRAY: return "an array";
    case JSON_OBJECT: return "an object";
    }
    return "a value";
}

/* A bad_envelope row for raw[0..len), positioned at raw. */
__attribute__((format(printf, 4, 5))) static int envelope_reject(io_ctx *c, const char *raw,
                                                                 size_t len, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int64_t line, offset;
    position(c, raw, &line, &offset);
    if (len > IO_RAW_KEEP)
        len = IO_RAW_KEEP;
    return pinetl__batch_add_reject(c->batch, PINETL_REJECT_ENVELOPE, msg, raw, len, line, offset);
}

static int add_record(io_ctx *c, const json_value *v) {
    int64_t line, offset;
    position(c, v->start, &line, &offset);
    return pinetl__batch_add_record(c->batch, v->start, v->len, line, offset);
}

/* What a forced format expects, for messages. */
static const char *format_shape(int format) {
    switch (format) {
    case PINETL_INPUT_ARRAY: return "a JSON array of records";
    case PINETL_INPUT_KAFKA_REST: return "an object with a 'records' array";
    case PINETL_INPUT_KAFKA_DUMP: return "an object with 'topic' and 'value'";
    case PINETL_INPUT_KINESIS: return "an object with a 'Records' array or a 'Data' member";
    default: return "a JSON object per record";
    }
}

static int wrong_shape(io_ctx *c, const char *p, size_t len, const char *found) {
    return envelope_reject(c, p, len, "--input-format %s expects %s; found %s",
                           format_names[c->format], format_shape(c->format), found);
}

/* A Kafka value: the record, or a one-element array holding it. */
static int add_kafka_value(io_ctx *c, const json_value *value, const char *where) {
    if (value->type != JSON_ARRAY)
        return add_record(c, value);
    json_iter it;
    json_value first, extra;
    pinetl__json_iter_array(&it, value);
    int n = pinetl__json_iter_element(&it, &first);
    if (n && !pinetl__json_iter_element(&it, &extra))
        return add_record(c, &first);
    return envelope_reject(c, value->start, value->len,
                           "%s: 'value' is %s array; expected one record or a one-element array",
                           where, n ? "a several-element" : "an empty");
}

static int grow_scratch(io_ctx *c, size_t need) {
    if (pinetl__alloc_reserve(&c->scratch, &c->scratch_cap, need, 1, 4096))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory decoding Kinesis data");
    return PINETL_OK;
}

/* Kinesis Data: an object, a string of JSON text, or a string of base64 of the record's JSON.
 * where names the member in messages, e.g. "Records[3].Data". */
static int add_kinesis_data(io_ctx *c, const json_value *data, const char *where) {
    if (data->type == JSON_OBJECT)
        return add_record(c, data);
    if (data->type != JSON_STRING)
        return envelope_reject(c, data->start, data->len,
                               "kinesis %s is %s; expected an object or a base64 string", where,
                               type_name(data->type));
    int rc = grow_scratch(c, data->len + 1);
    if (rc)
        return rc;
    long n = pinetl__json_string_decode(data, c->scratch);
    if (n < 0)
        return envelope_reject(c, data->start, data->len,
                               "kinesis %s holds a lone UTF-16 surrogate escape", where);
    int64_t line, offset;
    position(c, data->start, &line, &offset);
    size_t len, bad;
    int json_text;
    if (pinetl__io_kinesis_data(c->scratch, (size_t)n, &len, &json_text, &bad) != 0) {
        if (bad < (size_t)n)
            return envelope_reject(c, data->start, data->len,
                                   "kinesis %s is not valid base64: bad character at position %zu",
                                   where, bad);
        return envelope_reject(c, data->start, data->len,
                               "kinesis %s is not valid base64: it ends in the middle of a group",
                               where);
    }
    if (json_text) /* the record's JSON text itself, not base64 */
        return pinetl__batch_add_record(c->batch, c->scratch, len, line, offset);
    json_value rec;
    json_error err;
    if (pinetl__json_parse(c->scratch, c->scratch + len, &rec, &err) != 0)
        return envelope_reject(c, data->start, data->len,
                               "kinesis %s is base64 of %zu bytes that are not a JSON record "
                               "(%s at byte %zu: %s)",
                               where, len, err.utf8 ? "invalid UTF-8" : "invalid JSON", err.offset,
                               err.what);
    return pinetl__batch_add_record(c->batch, c->scratch, len, line, offset);
}

static int unwrap_kafka_rest(io_ctx *c, const json_value *records, const char *p, size_t len) {
    if (records->type != JSON_ARRAY)
        return envelope_reject(c, p, len, "Kafka REST body: 'records' is %s; expected an array",
                               type_name(records->type));
    json_iter it;
    json_value el, value;
    pinetl__json_iter_array(&it, records);
    if (records->len <= 2 || !pinetl__json_iter_element(&it, &el))
        return envelope_reject(c, p, len, "Kafka REST body: 'records' is empty");
    pinetl__json_iter_array(&it, records);
    for (size_t i = 0; pinetl__json_iter_element(&it, &el); i++) {
        int rc;
        if (el.type != JSON_OBJECT)
            rc = envelope_reject(c, el.start, el.len,
                                 "Kafka REST body: records[%zu] is %s; expected an object with "
                                 "'value'",
                                 i, type_name(el.type));
        else if (!pinetl__json_object_get(&el, "value", &value))
            rc = envelope_reject(c, el.start, el.len,
                                 "Kafka REST body: records[%zu] has no 'value'", i);
        else if (value.type == JSON_ARRAY) {
            char where[64];
            snprintf(where, sizeof where, "Kafka REST body: records[%zu]", i);
            rc = add_kafka_value(c, &value, where);
        } else
            rc = add_record(c, &value);
        if (rc)
            return rc;
    }
    return PINETL_OK;
}

static int unwrap_kinesis_records(io_ctx *c, const json_value *records, const char *p, size_t len) {
    if (records->type != JSON_ARRAY)
        return envelope_reject(c, p, len,
                               "kinesis PutRecords body: 'Records' is %s; expected an "
                               "array",
                               type_name(records->type));
    json_iter it;
    json_value el, data;
    char where[48];
    pinetl__json_iter_array(&it, records);
    if (!pinetl__json_iter_element(&it, &el))
        return envelope_reject(c, p, len, "kinesis PutRecords body: 'Records' is empty");
    pinetl__json_iter_array(&it, records);
    for (size_t i = 0; pinetl__json_iter_element(&it, &el); i++) {
        int rc;
        if (el.type != JSON_OBJECT)
            rc = envelope_reject(c, el.start, el.len,
                                 "kinesis PutRecords body: Records[%zu] is %s; expected an object "
                                 "with 'Data'",
                                 i, type_name(el.type));
        else if (!pinetl__json_object_get(&el, "Data", &data))
            rc = envelope_reject(c, el.start, el.len,
                                 "kinesis PutRecords body: Records[%zu] has no 'Data'", i);
        else {
            snprintf(where, sizeof where, "Records[%zu].Data", i);
            rc = add_kinesis_data(c, &data, where);
        }
        if (rc)
            return rc;
    }
    return PINETL_OK;
}

/* Envelope keys of an object, last duplicate winning (as for record fields). */
enum { K_RECORDS, K_RECORDS_UC, K_TOPIC, K_VALUE, K_DATA, K_STREAM, K_PKEY, K_COUNT };
static const struct {
    const char *name;
    size_t len;
} envelope_keys[K_COUNT] = {{"records", 7}, {"Records", 7},     {"topic", 5},        {"value", 5},
                            {"Data", 4},    {"StreamName", 10}, {"PartitionKey", 12}};

typedef struct envelope_shape {
    unsigned has; /* bit k: envelope key k is a member */
    json_value found[K_COUNT];
} envelope_shape;

/* Lengths of the envelope keys, as a bit set: most record keys are ruled out by length alone. */
#define ENVELOPE_KEY_LENGTHS (1u << 4 | 1u << 5 | 1u << 7 | 1u << 10 | 1u << 12)

static int is_envelope_key(const json_value *key, int k) {
    size_t n = key->len - 2; /* without the quotes */
    if (key->escaped)        /* compared decoded */
        return pinetl__json_string_equals(key, envelope_keys[k].name, envelope_keys[k].len);
    return n == envelope_keys[k].len && memcmp(key->start + 1, envelope_keys[k].name, n) == 0;
}

static inline void note_key(envelope_shape *sh, const json_value *key, const json_value *value) {
    size_t n = key->len - 2;
    if (!key->escaped && (n > 12 || !((ENVELOPE_KEY_LENGTHS >> n) & 1u)))
        return;
    for (int k = 0; k < K_COUNT; k++) {
        if (is_envelope_key(key, k)) {
            sh->found[k] = *value;
            sh->has |= 1u << k;
            return;
        }
    }
}

/* Which envelope keys obj has: from the members its scan kept (count of them, all kept when
 * count <= IO_MEMBERS_MAX), else by iterating. O(members), no pass over the bytes. */
static void envelope_shape_of(envelope_shape *sh, const json_value *obj, const json_member *m,
                              size_t count) {
    sh->has = 0;
    if (count <= IO_MEMBERS_MAX) {
        for (size_t i = 0; i < count; i++)
            note_key(sh, &m[i].key, &m[i].value);
        return;
    }
    json_iter it;
    json_value key, value;
    pinetl__json_iter_object(&it, obj);
    while (pinetl__json_iter_member(&it, &key, &value))
        note_key(sh, &key, &value);
}

#define HAS(sh, k) (((sh)->has >> (k)) & 1u)

static int unwrap_object(io_ctx *c, const json_value *obj, const envelope_shape *sh, const char *p,
                         size_t len) {
    int f = c->format;
    if (f == PINETL_INPUT_JSONL || f == PINETL_INPUT_S3_SINK)
        return add_record(c, obj);
    if (f == PINETL_INPUT_ARRAY)
        return wrong_shape(c, p, len, "an object");
    if (HAS(sh, K_RECORDS) && (f == PINETL_INPUT_AUTO || f == PINETL_INPUT_KAFKA_REST))
        return unwrap_kafka_rest(c, &sh->found[K_RECORDS], p, len);
    if (HAS(sh, K_RECORDS_UC) && (f == PINETL_INPUT_AUTO || f == PINETL_INPUT_KINESIS))
        return unwrap_kinesis_records(c, &sh->found[K_RECORDS_UC], p, len);
    if (HAS(sh, K_TOPIC) && HAS(sh, K_VALUE) &&
        (f == PINETL_INPUT_AUTO || f == PINETL_INPUT_KAFKA_DUMP)) {
        if (sh->found[K_VALUE].type == JSON_ARRAY)
            return add_kafka_value(c, &sh->found[K_VALUE], "Kafka consumer record");
        return add_record(c, &sh->found[K_VALUE]);
    }
    /* A forced kinesis format takes a bare {"Data": ...} too. */
    if (HAS(sh, K_DATA) && (f == PINETL_INPUT_KINESIS ||
                            (f == PINETL_INPUT_AUTO && (HAS(sh, K_STREAM) || HAS(sh, K_PKEY)))))
        return add_kinesis_data(c, &sh->found[K_DATA], "Data");
    if (f == PINETL_INPUT_AUTO)
        return add_record(c, obj);
    return wrong_shape(c, p, len, "an object without those members");
}

int pinetl__io_unwrap(io_ctx *c, const char *p, size_t len, int64_t line, int64_t offset) {
    c->vbase = c->cur = p;
    c->vbase_line = c->cur_line = line;
    c->vbase_offset = offset;
    int f = c->format;
    size_t i = 0;
    while (i < len && pinetl__json_is_space((unsigned char)p[i]))
        i++;
    json_value v;
    json_error err;
    size_t count = 0;
    /* A flat line of an indexed run: walked from the string index (the common case). */
    int indexed = c->index_base && i < len && p[i] == '{' &&
                  pinetl__json_members_indexed(p, p + len, c->index_base, c->quotes, c->odd, &v,
                                               c->members, IO_MEMBERS_MAX, &count);
    /* Forced JSON lines: every object is a record, no envelope to look for. */
    if (i < len && p[i] == '{' && (f == PINETL_INPUT_JSONL || f == PINETL_INPUT_S3_SINK)) {
        if (indexed)
            return pinetl__batch_add_parsed(c->batch, p, len, &v,
                                            count <= IO_MEMBERS_MAX ? c->members : NULL, count,
                                            line, offset);
        return pinetl__batch_add_checked(c->batch, p, len, line, offset, c->utf8_checked > 0);
    }
    /* One scan checks the value and keeps the top-level members that tell its shape. */
    if (!indexed && pinetl__json_parse_members_utf8(p, p + len, &v, c->members, IO_MEMBERS_MAX,
                                                    &count, &err, c->utf8_checked > 0) != 0)
        return pinetl__batch_add_record(c->batch, p, len, line, offset);
    switch (v.type) {
    case JSON_OBJECT: {
        envelope_shape sh;
        envelope_shape_of(&sh, &v, c->members, count);
        /* The fast path of JSON lines: a plain record, scanned once (the core reuses the scan). */
        if (!sh.has && f == PINETL_INPUT_AUTO) {
            const json_member *kept = count <= IO_MEMBERS_MAX ? c->members : NULL;
            return pinetl__batch_add_parsed(c->batch, p, len, &v, kept, count, line, offset);
        }
        return unwrap_object(c, &v, &sh, p, len);
    }
    case JSON_ARRAY:
        if (f == PINETL_INPUT_AUTO || f == PINETL_INPUT_ARRAY) {
            json_iter it;
            json_value el;
            pinetl__json_iter_array(&it, &v);
            size_t n = 0;
            for (; pinetl__json_iter_element(&it, &el); n++) {
                int rc = add_record(c, &el);
                if (rc)
                    return rc;
            }
            return n ? PINETL_OK : envelope_reject(c, p, len, "empty top-level array: no records");
        }
        return wrong_shape(c, p, len, "an array");
    default:
        /* Not an object and not an envelope: a record the core rejects as not_an_object. */
        if (f == PINETL_INPUT_AUTO || f == PINETL_INPUT_JSONL || f == PINETL_INPUT_S3_SINK)
            return pinetl__batch_add_record(c->batch, p, len, line, offset);
        return wrong_shape(c, p, len, type_name(v.type));
    }
}

static int is_json_space(unsigned char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int clean_lines(io_ctx *c, const char *p, size_t len, int64_t line, int64_t offset);

/* Lines are cleaned a chunk at a time: one pass over a chunk checks its UTF-8 and finds its
 * newlines (core/simd.h), then the chunk's records are scanned while it is still in cache. */
enum { LINES_CHUNK = 64 << 10 };

int pinetl__io_clean_lines(io_ctx *c, const char *p, size_t len, int64_t line, int64_t offset) {
    size_t want = LINES_CHUNK / 128 + 64; /* more newlines than that: memchr finds the rest */
    if (want > c->nl_cap) {
        uint32_t *grown = pinetl__realloc(c->nl, want * sizeof *grown);
        if (!grown) /* like every allocation of a clean: a failure is the caller's to see */
            return pinetl__error_set(PINETL_ENOMEM, "out of memory indexing the lines of a chunk");
        c->nl = grown;
        c->nl_cap = want;
    }
    size_t words = LINES_CHUNK / 64 + 1;
    if (words > c->bits_cap) {
        uint64_t *q = pinetl__realloc(c->quotes, words * sizeof *q);
        if (q)
            c->quotes = q;
        uint64_t *o = q ? pinetl__realloc(c->odd, words * sizeof *o) : NULL;
        if (!o)
            return pinetl__error_set(PINETL_ENOMEM,
                                     "out of memory indexing the strings of a chunk");
        c->odd = o;
        c->bits_cap = words;
    }
    const char *s = p, *end = p + len;
    int rc = PINETL_OK;
    while (s < end && rc == PINETL_OK) {
        size_t n = (size_t)(end - s);
        if (n > LINES_CHUNK) { /* the chunk ends after a newline (or its line is long) */
            const char *cut = memrchr(s, '\n', LINES_CHUNK);
            if (!cut)
                cut = memchr(s + LINES_CHUNK, '\n', n - LINES_CHUNK);
            if (cut)
                n = (size_t)(cut + 1 - s);
        }
        /* Checked: the scanner looks at each string only for quotes, backslashes and control
         * bytes. A chunk with a bad byte is checked line by line (the reject says where). */
        size_t count = 0;
        int index = 0, room = (n + 63) / 64 <= c->bits_cap; /* else a long line: no index */
        c->utf8_checked = pinetl__utf8_valid_index(s, n, c->nl, c->nl_cap, &count,
                                                   room ? c->quotes : NULL, c->odd, &index)
                              ? 1
                              : -1;
        if (count == SIZE_MAX) /* too long to index */
            count = pinetl__count_byte(s, n, '\n');
        c->nl_n = count < c->nl_cap ? count : c->nl_cap;
        c->index_base = index && c->utf8_checked > 0 ? s : NULL;
        rc = clean_lines(c, s, n, line, offset + (s - p));
        c->index_base = NULL;
        line += (int64_t)count;
        s += n;
    }
    c->utf8_checked = 0;
    c->nl_n = 0;
    return rc;
}

static int clean_lines(io_ctx *c, const char *p, size_t len, int64_t line, int64_t offset) {
    const char *s = p, *end = p + len;
    size_t k = 0;
    while (s < end) {
        /* The next newline from the index while it lasts, then by memchr. */
        const char *nl = k < c->nl_n ? p + c->nl[k++] : memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        const char *a = s, *b = e;
        while (a < b && pinetl__json_is_space((unsigned char)*a))
            a++;
        if (a < b) { /* blank lines (spec whitespace only) are not records */
            int rc;
            /* The limit applies to the line without its end (\n or \r\n): what the splitter can
             * measure of a line it meets in pieces (split.c), so that a line is a record or a
             * too_large reject whatever the reader's block size. The reject is the splitter's
             * too: raw from the line's start, cut to 1 MiB or the limit, if smaller. */
            size_t line_len = (size_t)(e - s) - (e > s && e[-1] == '\r');
            if (line_len > c->max_record) {
                size_t keep = c->max_record < IO_RAW_KEEP ? c->max_record : IO_RAW_KEEP;
                char msg[160];
                snprintf(msg, sizeof msg,
                         "record larger than the limit of %zu bytes (raw holds "
                         "its first %zu bytes)",
                         c->max_record, keep);
                rc = pinetl__batch_add_reject(c->batch, PINETL_REJECT_TOO_LARGE, msg, s, keep, line,
                                              offset + (s - p));
            } else {
                a = s;
                while (a < b && is_json_space((unsigned char)*a))
                    a++;
                while (b > a && is_json_space((unsigned char)b[-1]))
                    b--;
                /* A run with a bad byte somewhere: each line is checked on its own. */
                int run = c->utf8_checked;
                if (run < 0)
                    c->utf8_checked = pinetl__utf8_valid_block(a, (size_t)(b - a));
                rc = pinetl__io_unwrap(c, a, (size_t)(b - a), line, offset + (a - p));
                c->utf8_checked = run;
            }
            if (rc)
                return rc;
        }
        line++;
        s = nl ? nl + 1 : end;
    }
    return PINETL_OK;
}
