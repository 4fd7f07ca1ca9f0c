/* Helpers of the insights tests: datasets and warehouses from JSON-lines text, results as text.
 * Every insight test checks the in-memory result AND the warehouse's SQL result against the
 * expected rows, so both paths are held to the spec. */
#ifndef PINETL_TEST_INSIGHTS_FIXTURES_H
#define PINETL_TEST_INSIGHTS_FIXTURES_H

#include <stdlib.h>
#include <string.h>

#include <pinetl/pinetl.h>

#include "check.h"

/* Cleans JSON lines (one record per non-blank line) into a new batch of table. */
static inline pinetl_batch *fx_batch(pinetl_table table, const char *jsonl) {
    pinetl_batch *b = NULL;
    if (pinetl_batch_new(&b, table))
        return NULL;
    size_t n = 0, len = strlen(jsonl);
    int64_t *offs = malloc((len + 2) * sizeof *offs);
    char *blob = malloc(len + 1);
    size_t blen = 0;
    if (!offs || !blob) {
        free(offs);
        free(blob);
        pinetl_batch_free(b);
        return NULL;
    }
    offs[0] = 0;
    for (const char *p = jsonl; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        size_t k = 0;
        while (k < l && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r'))
            k++;
        if (k < l) {
            memcpy(blob + blen, p, l);
            blen += l;
            offs[++n] = (int64_t)blen;
        }
        p += l + (e != NULL);
    }
    pinetl_clean_options o;
    pinetl_clean_options_init(&o, PINETL_CLEAN_OPTIONS_VERSION);
    o.source = "<test>";
    int rc = pinetl_batch_clean_records(b, blob, offs, n, &o);
    free(offs);
    free(blob);
    if (rc) {
        pinetl_batch_free(b);
        return NULL;
    }
    return b;
}

typedef struct fx_data {
    const char *pin, *geo, *user;
} fx_data;

static inline int fx_each_batch(const fx_data *d, int (*fn)(void *, const pinetl_batch *),
                                void *arg) {
    const char *texts[3] = {d->pin, d->geo, d->user};
    for (int t = 0; t < 3; t++) {
        if (!texts[t])
            continue;
        pinetl_batch *b = fx_batch((pinetl_table)t, texts[t]);
        int rc = b ? fn(arg, b) : -1;
        pinetl_batch_free(b);
        if (rc)
            return rc;
    }
    return 0;
}

static inline int fx_add(void *ds, const pinetl_batch *b) { return pinetl_dataset_add(ds, b); }
static inline int fx_load(void *wh, const pinetl_batch *b) { return pinetl_warehouse_load(wh, b); }

static inline pinetl_insights_options fx_options(const char *const *names, size_t n, int median) {
    pinetl_insights_options o;
    pinetl_insights_options_init(&o, PINETL_INSIGHTS_OPTIONS_VERSION);
    o.names = names;
    o.nnames = n;
    o.median = median;
    return o;
}

/* One insight in memory; NULL on failure. */
static inline pinetl_insights *fx_memory(const fx_data *d, const char *name, int median) {
    pinetl_dataset *ds;
    pinetl_insights *r = NULL;
    if (pinetl_dataset_new(&ds))
        return NULL;
    pinetl_insights_options o = fx_options(name ? &name : NULL, name ? 1 : 0, median);
    if (!fx_each_batch(d, fx_add, ds))
        pinetl_insights_compute(&r, ds, &o);
    pinetl_dataset_free(ds);
    return r;
}

/* One insight from a fresh in-memory warehouse; NULL on failure. */
static inline pinetl_insights *fx_warehouse(const fx_data *d, const char *name, int median) {
    pinetl_warehouse *wh;
    pinetl_insights *r = NULL;
    if (pinetl_warehouse_open(&wh, ":memory:", 0)) {
        fprintf(stderr, "warehouse: %s\n", pinetl_error_last());
        return NULL;
    }
    pinetl_insights_options o = fx_options(name ? &name : NULL, name ? 1 : 0, median);
    if (!fx_each_batch(d, fx_load, wh) && pinetl_warehouse_insights(&r, wh, &o))
        fprintf(stderr, "warehouse: %s\n", pinetl_error_last());
    pinetl_warehouse_free(wh);
    return r;
}

/* Rows of table 0 as "a|b|c\n" lines: null as NULL, REAL as %.17g with a trailing 'r'. */
static inline char *fx_rows(const pinetl_insights *r) {
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t row = 0; r && row < pinetl_insights_rows(r, 0); row++) {
        for (size_t c = 0; c < pinetl_insights_columns(r, 0); c++) {
            char cell[512];
            switch (pinetl_insights_value_type(r, 0, row, c)) {
            case PINETL_VALUE_INT64:
                snprintf(cell, sizeof cell, "%lld", (long long)pinetl_insights_int64(r, 0, row, c));
                break;
            case PINETL_VALUE_REAL:
                snprintf(cell, sizeof cell, "%.17gr", pinetl_insights_real(r, 0, row, c));
                break;
            case PINETL_VALUE_TEXT:
                snprintf(cell, sizeof cell, "%s", pinetl_insights_text(r, 0, row, c, NULL));
                break;
            default: snprintf(cell, sizeof cell, "NULL");
            }
            size_t need = len + strlen(cell) + 3;
            if (need > cap) {
                char *t = realloc(s, cap = need * 2);
                if (!t) {
                    free(s);
                    return NULL;
                }
                s = t;
            }
            len += (size_t)sprintf(s + len, "%s%s", c ? "|" : "", cell);
        }
        s[len++] = '\n';
        s[len] = '\0';
    }
    return s;
}

/* Checks that both paths give exactly `expected` for insight name. */
#define CHECK_INSIGHT(data, name, median, expected)                    \
    do {                                                               \
        pinetl_insights *m_ = fx_memory(&(data), (name), (median));    \
        pinetl_insights *w_ = fx_warehouse(&(data), (name), (median)); \
        CHECK(m_ != NULL);                                             \
        CHECK(w_ != NULL);                                             \
        char *ms_ = fx_rows(m_), *ws_ = fx_rows(w_);                   \
        CHECK_STR(ms_, (expected));                                    \
        CHECK_STR(ws_, (expected));                                    \
        char *why_ = NULL;                                             \
        CHECK(pinetl_insights_equal(&why_, m_, w_));                   \
        if (why_) {                                                    \
            fprintf(stderr, "  %s\n", why_);                           \
            pinetl_free(why_);                                         \
        }                                                              \
        free(ms_);                                                     \
        free(ws_);                                                     \
        pinetl_insights_free(m_);                                      \
        pinetl_insights_free(w_);                                      \
    } while (0)

#endif
