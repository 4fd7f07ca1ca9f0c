/* Record-level cleaning (clean.c) meets the per-table field rules (clean_tables.c). */
#ifndef PINETL_CLEAN_H
#define PINETL_CLEAN_H

#include "batch_impl.h"

/* Raw fields a table reads; field 0 is always the key (index / ind). */
enum { CLEAN_MAX_FIELDS = 12 };

/* pin's field for "ind", the cleaned key's name: the key when "index" is absent. */
enum { CLEAN_PIN_IND = 11 };

/* The field number of a raw key of a table, or -1 when the key is ignored. */
int pinetl__clean_field_index(pinetl_table table, const char *key, size_t len);

/* Fills columns 1.. of row r (the key column is done) from the fields present (bit i of present:
 * f[i] is set), setting warnings[r] and escape[r]. b->scratch holds at least the record's length.
 * 0, or -1 when memory ran out. */
int pinetl__clean_fill_fields(pinetl_batch *b, size_t r, const json_value *f, uint32_t present);

#endif
