/* Invariant checks shared by the fuzz targets (see fuzz.h). Only the public API is used, and every
 * rendered output is read back by code that does not share the library's parser: cJSON for JSON,
 * a small RFC 4180 reader here for CSV, strtod for doubles. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *what) {
    fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
    abort();
}

int fuzz_utf8_valid(const unsigned char *p, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else
            return 0;
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* A view of one cleaned value of a column, the same for JSONL and CSV checks. */
typedef struct cell {
    int valid;
    const char *text; /* TEXT */
    size_t len;
    int64_t i64;     /* INT64, TIMESTAMP */
    double lat, lon; /* COORDS */
} cell;

static cell get_cell(const pinetl_batch *b, int c, size_t r) {
    cell v;
    memset(&v, 0, sizeof v);
    const uint8_t *valid = pinetl_batch_validity(b, c);
    FUZZ_ASSERT(valid != NULL);
    v.valid = (valid[r >> 3] >> (r & 7)) & 1;
    switch (pinetl_column_type(pinetl_batch_table(b), c)) {
    case PINETL_TYPE_TEXT: {
        const int64_t *off = pinetl_batch_text_offsets(b, c);
        const char *data = pinetl_batch_text_data(b, c);
        FUZZ_ASSERT(off != NULL && data != NULL);
        FUZZ_ASSERT(off[r] >= 0 && off[r + 1] >= off[r]);
        v.text = data + off[r];
        v.len = (size_t)(off[r + 1] - off[r]);
        break;
    }
    case PINETL_TYPE_INT64:
    case PINETL_TYPE_TIMESTAMP:
        FUZZ_ASSERT(pinetl_batch_int64(b, c) != NULL);
        v.i64 = pinetl_batch_int64(b, c)[r];
        break;
    case PINETL_TYPE_COORDS:
        FUZZ_ASSERT(pinetl_batch_coords(b, c) != NULL);
        v.lat = pinetl_batch_coords(b, c)[2 * r];
        v.lon = pinetl_batch_coords(b, c)[2 * r + 1];
        break;
    default: FUZZ_ASSERT(!"column of unknown type");
    }
    return v;
}

static int is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
            return 0;
    return 1;
}

static int is_sentinel(pinetl_table t, const char *name, const char *s, size_t n) {
    static const char *const pin_sentinels[][2] = {
        {"title", "No Title Data Available"},
        {"description", "No description available Story format"},
        {"description", "No description available"},
        {"poster_name", "User Info Error"},
        {"tag_list", "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"},
        {"image_src", "Image src error."},
    };
    if (t != PINETL_TABLE_PIN)
        return 0;
    for (size_t i = 0; i < sizeof pin_sentinels / sizeof pin_sentinels[0]; i++)
        if (!strcmp(name, pin_sentinels[i][0]) && strlen(pin_sentinels[i][1]) == n &&
            !memcmp(s, pin_sentinels[i][1], n))
            return 1;
    return 0;
}

/* What any cleaned value must look like, whatever the input was. */
static void check_value(pinetl_table t, int c, const cell *v) {
    const char *name = pinetl_column_name(t, c);
    char buf[PINETL_TIMESTAMP_BUFSIZE];
    int64_t back;
    switch (pinetl_column_type(t, c)) {
    case PINETL_TYPE_TEXT:
        if (!v->valid) {
            FUZZ_ASSERT(v->len == 0);
            break;
        }
        FUZZ_ASSERT(v->len > 0); /* cleaned text is never empty */
        FUZZ_ASSERT(!is_blank(v->text, v->len));
        FUZZ_ASSERT(fuzz_utf8_valid((const unsigned char *)v->text, v->len));
        FUZZ_ASSERT(!is_sentinel(t, name, v->text, v->len));
        break;
    case PINETL_TYPE_INT64:
        if (!v->valid)
            break;
        if (!strcmp(name, "age"))
            FUZZ_ASSERT(v->i64 >= 0 && v->i64 <= 150);
        if (!strcmp(name, "follower_count"))
            FUZZ_ASSERT(v->i64 >= 0);
        break;
    case PINETL_TYPE_TIMESTAMP:
        if (!v->valid)
            break;
        /* A stored timestamp always formats, and the formatted text reads back to itself. */
        FUZZ_ASSERT(pinetl_timestamp_format(buf, v->i64) > 0);
        FUZZ_ASSERT(pinetl_timestamp_parse(&back, buf, strlen(buf)) == 1 && back == v->i64);
        FUZZ_ASSERT(pinetl_timestamp_year(v->i64) >= 1 && pinetl_timestamp_year(v->i64) <= 9999);
        break;
    case PINETL_TYPE_COORDS:
        if (!v->valid)
            break;
        FUZZ_ASSERT(isfinite(v->lat) && isfinite(v->lon));
        FUZZ_ASSERT(fabs(v->lat) <= 90 && fabs(v->lon) <= 180);
        break;
    }
}

/* ---- JSON lines, read back with cJSON ------------------------------------------------------ */

/* cJSON strings end at a NUL, so text holding "\u0000" is compared up to it. */
static int same_string(const cJSON *j, const char *s, size_t n) {
    if (!cJSON_IsString(j))
        return 0;
    size_t jl = strlen(j->valuestring);
    const char *nul = memchr(s, 0, n);
    size_t want = nul ? (size_t)(nul - s) : n;
    return jl == want && !memcmp(j->valuestring, s, want);
}

static void check_json_cell(pinetl_table t, int c, const cell *v, const cJSON *j) {
    char buf[PINETL_TIMESTAMP_BUFSIZE];
    FUZZ_ASSERT(j != NULL && j->string && !strcmp(j->string, pinetl_column_name(t, c)));
    if (!v->valid) {
        FUZZ_ASSERT(cJSON_IsNull(j));
        return;
    }
    switch (pinetl_column_type(t, c)) {
    case PINETL_TYPE_TEXT: FUZZ_ASSERT(same_string(j, v->text, v->len)); break;
    case PINETL_TYPE_INT64:
        FUZZ_ASSERT(cJSON_IsNumber(j) && j->valuedouble == (double)v->i64);
        break;
    case PINETL_TYPE_TIMESTAMP:
        FUZZ_ASSERT(pinetl_timestamp_format(buf, v->i64) > 0);
        FUZZ_ASSERT(cJSON_IsString(j) && !strcmp(j->valuestring, buf));
        break;
    case PINETL_TYPE_COORDS:
        /* Shortest round-trip doubles: strtod (inside cJSON) must give the same bits back. */
        FUZZ_ASSERT(cJSON_IsArray(j) && cJSON_GetArraySize(j) == 2);
        FUZZ_ASSERT(cJSON_GetArrayItem(j, 0)->valuedouble == v->lat);
        FUZZ_ASSERT(cJSON_GetArrayItem(j, 1)->valuedouble == v->lon);
        break;
    }
}

/* Splits out into '\n'-terminated lines; returns how many, each handed to fn. */
static size_t for_lines(const char *out, size_t len, void (*fn)(void *, const char *, size_t),
                        void *ud) {
    size_t n = 0, i = 0;
    while (i < len) {
        const char *nl = memchr(out + i, '\n', len - i);
        FUZZ_ASSERT(nl != NULL); /* every line ends in \n */
        fn(ud, out + i, (size_t)(nl - (out + i)));
        i = (size_t)(nl - out) + 1;
        n++;
    }
    return n;
}

typedef struct walk {
    pinetl_batch *b;
    size_t row;        /* the next row to match against a line */
    int want_rejected; /* lines are rejected rows (1) or cleaned rows (0) */
} walk;

static size_t next_row(walk *w) {
    const uint8_t *status = pinetl_batch_status(w->b);
    size_t rows = pinetl_batch_rows(w->b);
    while (w->row < rows && (status[w->row] != 0) != w->want_rejected)
        w->row++;
    FUZZ_ASSERT(w->row < rows); /* no more lines than rows */
    return w->row++;
}

static void check_jsonl_line(void *ud, const char *line, size_t len) {
    walk *w = ud;
    size_t r = next_row(w);
    pinetl_table t = pinetl_batch_table(w->b);
    int ncols = pinetl_column_count(t);
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "{\"ind\":%" PRId64 ",", get_cell(w->b, 0, r).i64);
    FUZZ_ASSERT(len > (size_t)n && !memcmp(line, prefix, (size_t)n)); /* exact int64 key */
    FUZZ_ASSERT(!memchr(line, '\r', len)); /* control characters are escaped */
    cJSON *j = cJSON_ParseWithLength(line, len);
    FUZZ_ASSERT(j != NULL && cJSON_IsObject(j));
    FUZZ_ASSERT(cJSON_GetArraySize(j) == ncols);
    const cJSON *m = j->child;
    for (int c = 0; c < ncols; c++, m = m->next) {
        cell v = get_cell(w->b, c, r);
        check_json_cell(t, c, &v, m);
    }
    cJSON_Delete(j);
}

/* ---- CSV, read back by a strict RFC 4180 reader ------------------------------------------- */

typedef struct csv_field {
    char *text; /* unquoted bytes (malloc'd) */
    size_t len;
    int quoted;
} csv_field;

/* Reads one record at *pp; fills at most max fields and returns the field count. */
static int csv_record(const char **pp, const char *end, csv_field *f, int max) {
    const char *p = *pp;
    int n = 0;
    for (;;) {
        FUZZ_ASSERT(n < max); /* no more fields than columns */
        csv_field *x = &f[n++];
        x->text = malloc((size_t)(end - p) + 1);
        FUZZ_ASSERT(x->text != NULL);
        x->len = 0;
        x->quoted = p < end && *p == '"';
        if (x->quoted) {
            p++;
            for (;;) {
                FUZZ_ASSERT(p < end); /* quote closed */
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        x->text[x->len++] = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                x->text[x->len++] = *p++;
            }
        } else {
            while (p < end && *p != ',' && *p != '\n') {
                FUZZ_ASSERT(*p != '"' && *p != '\r'); /* such fields must be quoted */
                x->text[x->len++] = *p++;
            }
        }
        FUZZ_ASSERT(p < end); /* every record ends in \n */
        if (*p == '\n') {
            *pp = p + 1;
            return n;
        }
        FUZZ_ASSERT(*p == ',');
        p++;
    }
}

/* Returns the length of the header line. */
static size_t check_csv(pinetl_batch *b, const char *out, size_t len, size_t cleaned) {
    pinetl_table t = pinetl_batch_table(b);
    int ncols = pinetl_column_count(t);
    const char *p = out, *end = out + len;
    char head[512] = "";
    for (int c = 0; c < ncols; c++) {
        strcat(head, pinetl_column_name(t, c));
        strcat(head, c + 1 < ncols ? "," : "\n");
    }
    FUZZ_ASSERT(len >= strlen(head) && !memcmp(out, head, strlen(head)));
    p += strlen(head);
    walk w = {b, 0, 0};
    size_t records = 0;
    csv_field f[PINETL_MAX_COLUMNS];
    while (p < end) {
        size_t r = next_row(&w);
        int n = csv_record(&p, end, f, PINETL_MAX_COLUMNS);
        FUZZ_ASSERT(n == ncols);
        for (int c = 0; c < ncols; c++) {
            cell v = get_cell(b, c, r);
            char buf[64];
            int k;
            if (!v.valid) {
                FUZZ_ASSERT(f[c].len == 0 && !f[c].quoted);
                continue;
            }
            switch (pinetl_column_type(t, c)) {
            case PINETL_TYPE_TEXT:
                FUZZ_ASSERT(f[c].len == v.len && !memcmp(f[c].text, v.text, v.len));
                break;
            case PINETL_TYPE_INT64:
                k = snprintf(buf, sizeof buf, "%" PRId64, v.i64);
                FUZZ_ASSERT(f[c].len == (size_t)k && !memcmp(f[c].text, buf, (size_t)k));
                break;
            case PINETL_TYPE_TIMESTAMP:
                k = pinetl_timestamp_format(buf, v.i64);
                FUZZ_ASSERT(k > 0 && f[c].len == (size_t)k && !memcmp(f[c].text, buf, (size_t)k));
                break;
            case PINETL_TYPE_COORDS: {
                FUZZ_ASSERT(f[c].quoted && f[c].len > 2 && f[c].text[0] == '[' &&
                            f[c].text[f[c].len - 1] == ']');
                f[c].text[f[c].len] = 0;
                char *e;
                double lat = strtod(f[c].text + 1, &e);
                FUZZ_ASSERT(*e == ',');
                double lon = strtod(e + 1, &e);
                FUZZ_ASSERT(*e == ']' && lat == v.lat && lon == v.lon);
                break;
            }
            }
        }
        for (int c = 0; c < n; c++)
            free(f[c].text);
        records++;
    }
    FUZZ_ASSERT(records == cleaned);
    return strlen(head);
}

/* ---- rejects ------------------------------------------------------------------------------ */

static int b64_value(int ch) {
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* Standard padded base64; returns the decoded length (out has room for 3/4 of len). */
static size_t b64_decode(const char *s, size_t len, unsigned char *out) {
    size_t n = 0;
    FUZZ_ASSERT(len % 4 == 0);
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            v[k] = s[i + k] == '=' ? 0 : b64_value((unsigned char)s[i + k]);
            FUZZ_ASSERT(v[k] >= 0);
            FUZZ_ASSERT(s[i + k] != '=' || i + 4 == len);
        }
        uint32_t w = (uint32_t)(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        out[n++] = (unsigned char)(w >> 16);
        if (s[i + 2] != '=')
            out[n++] = (unsigned char)(w >> 8);
        if (s[i + 3] != '=')
            out[n++] = (unsigned char)w;
    }
    return n;
}

static void check_reject_line(void *ud, const char *line, size_t len) {
    walk *w = ud;
    size_t r = next_row(w);
    pinetl_batch *b = w->b;
    static const char *const keys[] = {"table", "source", "line", "offset", "reason", "message"};
    cJSON *j = cJSON_ParseWithLength(line, len);
    FUZZ_ASSERT(j != NULL && cJSON_IsObject(j) && cJSON_GetArraySize(j) == 7);
    const cJSON *m = j->child;
    for (size_t k = 0; k < 6; k++, m = m->next)
        FUZZ_ASSERT(m->string && !strcmp(m->string, keys[k]));
    const char *source = pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[r]);
    FUZZ_ASSERT(source != NULL);
    FUZZ_ASSERT(!strcmp(cJSON_GetObjectItemCaseSensitive(j, "table")->valuestring,
                        pinetl_table_name(pinetl_batch_table(b))));
    FUZZ_ASSERT(same_string(cJSON_GetObjectItemCaseSensitive(j, "source"), source, strlen(source)));
    FUZZ_ASSERT(cJSON_GetObjectItemCaseSensitive(j, "line")->valuedouble ==
                (double)pinetl_batch_lines(b)[r]);
    FUZZ_ASSERT(cJSON_GetObjectItemCaseSensitive(j, "offset")->valuedouble ==
                (double)pinetl_batch_offsets(b)[r]);
    FUZZ_ASSERT(!strcmp(cJSON_GetObjectItemCaseSensitive(j, "reason")->valuestring,
                        pinetl_reject_name(pinetl_batch_status(b)[r])));
    const char *msg = pinetl_batch_reject_message(b, r);
    FUZZ_ASSERT(same_string(cJSON_GetObjectItemCaseSensitive(j, "message"), msg, strlen(msg)));
    const char *raw;
    size_t raw_len;
    FUZZ_ASSERT(pinetl_batch_reject_raw(&raw, &raw_len, b, r) == PINETL_OK);
    if (fuzz_utf8_valid((const unsigned char *)raw, raw_len)) {
        FUZZ_ASSERT(m->string && !strcmp(m->string, "raw"));
        FUZZ_ASSERT(same_string(m, raw, raw_len));
    } else {
        FUZZ_ASSERT(m->string && !strcmp(m->string, "raw_base64") && cJSON_IsString(m));
        size_t n = strlen(m->valuestring);
        unsigned char *dec = malloc(n / 4 * 3 + 1);
        FUZZ_ASSERT(dec != NULL);
        size_t dl = b64_decode(m->valuestring, n, dec);
        FUZZ_ASSERT(dl == raw_len && !memcmp(dec, raw, raw_len));
        free(dec);
    }
    cJSON_Delete(j);
}

/* ---- the batch as a whole ----------------------------------------------------------------- */

size_t fuzz_check_batch(pinetl_batch *b) {
    pinetl_table t = pinetl_batch_table(b);
    int ncols = pinetl_column_count(t);
    size_t rows = pinetl_batch_rows(b), rejected = 0;
    const uint8_t *status = pinetl_batch_status(b);
    const uint32_t *warn = pinetl_batch_warnings(b);
    int64_t nulls[PINETL_MAX_COLUMNS] = {0}, warnings[PINETL_MAX_COLUMNS] = {0};
    int64_t by_code[PINETL_REJECT_CODES] = {0};

    FUZZ_ASSERT(ncols > 0 && ncols <= PINETL_MAX_COLUMNS);
    FUZZ_ASSERT(pinetl_batch_rejected(b) <= rows);
    for (size_t r = 0; r < rows; r++) {
        FUZZ_ASSERT(status[r] < PINETL_REJECT_CODES);
        FUZZ_ASSERT(pinetl_batch_source_name(b, pinetl_batch_source_ids(b)[r]) != NULL);
        FUZZ_ASSERT(pinetl_batch_lines(b)[r] >= 0 && pinetl_batch_offsets(b)[r] >= 0);
        FUZZ_ASSERT((warn[r] >> ncols) == 0 && !(warn[r] & 1)); /* never on ind */
        const char *msg = pinetl_batch_reject_message(b, r);
        if (status[r]) {
            const char *raw;
            size_t raw_len;
            rejected++;
            by_code[status[r]]++;
            FUZZ_ASSERT(msg != NULL && msg[0] != 0); /* every reject says why */
            FUZZ_ASSERT(pinetl_batch_reject_raw(&raw, &raw_len, b, r) == PINETL_OK);
            FUZZ_ASSERT(raw != NULL || raw_len == 0);
            FUZZ_ASSERT(warn[r] == 0);
            for (int c = 0; c < ncols; c++) {
                cell v = get_cell(b, c, r);
                FUZZ_ASSERT(!v.valid); /* a rejected row is null everywhere */
                check_value(t, c, &v);
            }
            continue;
        }
        FUZZ_ASSERT(msg == NULL);
        for (int c = 0; c < ncols; c++) {
            cell v = get_cell(b, c, r);
            check_value(t, c, &v);
            if (c == 0)
                FUZZ_ASSERT(v.valid); /* a cleaned row always has its key */
            if (!v.valid)
                nulls[c]++;
            if (warn[r] >> c & 1) {
                FUZZ_ASSERT(!v.valid); /* warnings are a subset of nulls */
                warnings[c]++;
            }
        }
    }
    FUZZ_ASSERT(rejected == pinetl_batch_rejected(b));
    size_t cleaned = rows - rejected;

    /* Renders: the same rows, read back. Rendering twice gives the same bytes (the cache). */
    const char *out, *again;
    size_t len, len2;
    walk w = {b, 0, 0};
    FUZZ_ASSERT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0) == PINETL_OK);
    FUZZ_ASSERT(fuzz_utf8_valid((const unsigned char *)out, len));
    FUZZ_ASSERT(for_lines(out, len, check_jsonl_line, &w) == cleaned);

    FUZZ_ASSERT(pinetl_batch_render(&out, &len, b, PINETL_FORMAT_CSV, 1) == PINETL_OK);
    FUZZ_ASSERT(fuzz_utf8_valid((const unsigned char *)out, len));
    size_t head = check_csv(b, out, len, cleaned);
    FUZZ_ASSERT(pinetl_batch_render(&again, &len2, b, PINETL_FORMAT_CSV, 1) == PINETL_OK);
    FUZZ_ASSERT(again == out && len2 == len);
    FUZZ_ASSERT(pinetl_batch_render(&out, &len2, b, PINETL_FORMAT_CSV, 0) == PINETL_OK);
    FUZZ_ASSERT(len2 + head == len);

    w.row = 0;
    w.want_rejected = 1;
    FUZZ_ASSERT(pinetl_batch_render_rejects(&out, &len, b) == PINETL_OK);
    FUZZ_ASSERT(fuzz_utf8_valid((const unsigned char *)out, len));
    FUZZ_ASSERT(for_lines(out, len, check_reject_line, &w) == rejected);

    /* Stats: read = cleaned + rejected, and the per-column counts match the columns. */
    pinetl_stats st;
    char *text;
    pinetl_stats_init(&st, t);
    pinetl_stats_add_batch(&st, b);
    FUZZ_ASSERT(st.read == (int64_t)rows && st.cleaned == (int64_t)cleaned &&
                st.rejected == (int64_t)rejected && st.read == st.cleaned + st.rejected);
    for (int k = 0; k < PINETL_REJECT_CODES; k++)
        FUZZ_ASSERT(st.rejected_by_code[k] == by_code[k]);
    for (int c = 0; c < ncols; c++)
        FUZZ_ASSERT(st.nulls[c] == nulls[c] && st.warnings[c] == warnings[c]);
    FUZZ_ASSERT(pinetl_stats_to_json(&text, &st) == PINETL_OK);
    cJSON *j = cJSON_Parse(text);
    FUZZ_ASSERT(j != NULL && cJSON_IsObject(j));
    cJSON_Delete(j);
    pinetl_free(text);
    FUZZ_ASSERT(pinetl_stats_to_text(&text, &st) == PINETL_OK && text[0]);
    pinetl_free(text);
    return cleaned;
}
