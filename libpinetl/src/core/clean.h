/* Record-level cleaning (clean.c) meets the per-table field rules (clean_tables.c).
 *
 * The rules make one clean_value per column; two sinks take them: the batch's columns
 * (clean_store.c, for Arrow, pandas, insights and the warehouse) and the one-pass render
 * (render.c, JSON lines or CSV straight from the record, docs/performance.md). Both get the
 * same values from the same code, so their outputs cannot differ. */
#ifndef PINETL_CLEAN_H
#define PINETL_CLEAN_H

#include "storage.h"

/* Raw fields a table reads; field 0 is always the key (index / ind). */
enum { CLEAN_MAX_FIELDS = 12 };

/* pin's field for "ind", the cleaned key's name: the key when "index" is absent. */
enum { CLEAN_PIN_IND = 11 };

/* One cleaned value. state is RULE_NULL, RULE_VALUE or RULE_WARN (null with a warning). */
typedef struct clean_value {
    int state;
    int esc;       /* text: needs JSON escaping (it arrived with escapes that decode to some) */
    int in_place;  /* text: s points into the record (an unescaped string's bytes) */
    int64_t i64;   /* INT64, TIMESTAMP */
    double xy[2];  /* COORDS */
    const char *s; /* TEXT: s[0..n), in the record or in the caller's text buffer */
    size_t n;
} clean_value;

/* The field number of a raw key of a table, or -1 when the key is ignored. */
int pinetl__clean_field_index(pinetl_table table, const char *key, size_t len);

/* Cleans columns 1.. of a record (v[0], the key, is the caller's) from the fields present (bit
 * i of present: f[i] is set); columns outside select are RULE_NULL. scratch has room for the
 * record's length (the rules' decoding), text for the record's length + 1 (decoded texts). */
void pinetl__clean_values(pinetl_table table, uint32_t select, const json_value *f,
                          uint32_t present, char *scratch, char *text, clean_value *v);

/* Stores row r's values (columns 1..) into the batch's columns, setting warnings[r] and
 * escape[r]. 0, or -1 when memory ran out. */
int pinetl__clean_store(pinetl_batch *b, size_t r, const clean_value *v);

#endif
