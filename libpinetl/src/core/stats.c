/* Run totals: per reject reason and per column, merged across batches, as JSON or text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "storage.h"
#include "util/error.h"
#include "util/alloc.h"

void pinetl_stats_init(pinetl_stats *s, pinetl_table table) {
    memset(s, 0, sizeof *s);
    s->table = (int)table;
}

void pinetl_stats_add_batch(pinetl_stats *s, const pinetl_batch *b) {
    if (!s || !b)
        return;
    s->read += (int64_t)b->rows;
    s->rejected += (int64_t)b->nrejected;
    s->cleaned += (int64_t)(b->rows - b->nrejected);
    if (b->direct) { /* counted as the rows were rendered (direct.h) */
        for (size_t i = 0; i < b->nrejected; i++)
            s->rejected_by_code[b->status[b->rejects[i].row]]++;
        for (int c = 0; c < b->ncols; c++) {
            s->nulls[c] += b->dnulls[c];
            s->warnings[c] += b->dwarnings[c];
        }
        return;
    }
    for (size_t r = 0; r < b->rows; r++) {
        if (b->status[r]) {
            s->rejected_by_code[b->status[r]]++;
            continue;
        }
        for (int c = 0; c < b->ncols; c++) {
            if (!((b->select >> c) & 1))
                continue; /* not cleaned: nothing to count */
            if (!bit_get(b->cols[c].validity, r))
                s->nulls[c]++;
            if ((b->warnings[r] >> c) & 1)
                s->warnings[c]++;
        }
    }
}

void pinetl_stats_merge(pinetl_stats *into, const pinetl_stats *from) {
    into->read += from->read;
    into->cleaned += from->cleaned;
    into->rejected += from->rejected;
    for (int i = 0; i < 8; i++)
        into->rejected_by_code[i] += from->rejected_by_code[i];
    for (int i = 0; i < 16; i++) {
        into->nulls[i] += from->nulls[i];
        into->warnings[i] += from->warnings[i];
    }
}

int pinetl_stats_to_json(char **out, const pinetl_stats *s) {
    pinetl_table t = (pinetl_table)s->table;
    const char *tname = pinetl_table_name(t);
    if (!tname)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stats_to_json: unknown table %d", s->table);
    cJSON *root = cJSON_CreateObject(), *by = NULL, *cols = NULL;
    int ok = root && cJSON_AddStringToObject(root, "table", tname) &&
             cJSON_AddNumberToObject(root, "read", (double)s->read) &&
             cJSON_AddNumberToObject(root, "cleaned", (double)s->cleaned) &&
             cJSON_AddNumberToObject(root, "rejected", (double)s->rejected) &&
             (by = cJSON_AddObjectToObject(root, "rejected_by_reason")) &&
             (cols = cJSON_AddObjectToObject(root, "columns"));
    for (int code = 1; ok && code < PINETL_REJECT_CODES; code++)
        ok = cJSON_AddNumberToObject(by, pinetl_reject_name(code),
                                     (double)s->rejected_by_code[code]) != NULL;
    for (int c = 0; ok && c < pinetl_column_count(t); c++) {
        cJSON *col = cJSON_AddObjectToObject(cols, pinetl_column_name(t, c));
        ok = col && cJSON_AddNumberToObject(col, "nulls", (double)s->nulls[c]) &&
             cJSON_AddNumberToObject(col, "warnings", (double)s->warnings[c]);
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    /* Handed over as malloc'd memory, so pinetl_free is plain free whatever cJSON's hooks are. */
    *out = text ? pinetl__strdup(text) : NULL;
    if (text)
        cJSON_free(text);
    return *out ? PINETL_OK : pinetl__error_set(PINETL_ENOMEM, "out of memory writing stats");
}

int pinetl_stats_to_text(char **out, const pinetl_stats *s) {
    pinetl_table t = (pinetl_table)s->table;
    const char *tname = pinetl_table_name(t);
    pinetl__buf b = {0};
    if (!tname)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_stats_to_text: unknown table %d", s->table);
    pinetl__buf_printf(&b, "%s: read %lld, cleaned %lld, rejected %lld\n", tname,
                       (long long)s->read, (long long)s->cleaned, (long long)s->rejected);
    for (int code = 1; code < PINETL_REJECT_CODES; code++)
        if (s->rejected_by_code[code])
            pinetl__buf_printf(&b, "  rejected %s: %lld\n", pinetl_reject_name(code),
                               (long long)s->rejected_by_code[code]);
    pinetl__buf_printf(&b, "  %-18s %10s %10s\n", "column", "nulls", "warnings");
    for (int c = 0; c < pinetl_column_count(t); c++)
        pinetl__buf_printf(&b, "  %-18s %10lld %10lld\n", pinetl_column_name(t, c),
                           (long long)s->nulls[c], (long long)s->warnings[c]);
    if (!(*out = pinetl__buf_detach(&b, NULL)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory writing stats");
    return PINETL_OK;
}

void pinetl_free(void *p) { pinetl__free(p); }
