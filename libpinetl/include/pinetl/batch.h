/* Batches: many raw records in, typed columns out, with one status per row.
 *
 * A batch holds the rows of one table. Every record handed to it becomes exactly one row, cleaned
 * or rejected, so records in = rows = cleaned + rejected. Columns follow the spec's order
 * (common.h); a rejected row is null in every column. Pointers returned by the accessors stay
 * valid until the batch is changed (clean, clear) or freed. Batches are not shared between
 * threads; different batches may be used from different threads at once. */
#ifndef PINETL_BATCH_H
#define PINETL_BATCH_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinetl_batch pinetl_batch;

/* How the input bytes are wrapped (spec section 1). AUTO detects it per top-level JSON value. */
typedef enum pinetl_input_format {
    PINETL_INPUT_AUTO = 0,
    PINETL_INPUT_JSONL = 1,      /* one record per line (also concatenated records) */
    PINETL_INPUT_ARRAY = 2,      /* JSON arrays of records */
    PINETL_INPUT_KAFKA_REST = 3, /* {"records": [{"value": {...}}, ...]} */
    PINETL_INPUT_KAFKA_DUMP =
        4, /* {"topic":..., "key":..., "value": {...}, "partition":..., "offset":...} */
    PINETL_INPUT_KINESIS = 5, /* PutRecord {"Data": ...} and PutRecords {"Records": [...]} bodies */
    PINETL_INPUT_S3_SINK = 6  /* a directory in the Kafka Connect S3 sink layout (readers only) */
} pinetl_input_format;

/* "auto", "jsonl", "array", "kafka-rest", "kafka-dump", "kinesis", "s3-sink"; NULL when unknown. */
PINETL_API const char *pinetl_input_format_name(pinetl_input_format format);
PINETL_API int pinetl_input_format_from_name(pinetl_input_format *out, const char *name);

/* Why a row was rejected (0 = it was cleaned). The row's message gives the detail. */
typedef enum pinetl_reject_code {
    PINETL_REJECT_NONE = 0,
    PINETL_REJECT_UTF8 = 1,       /* not valid UTF-8 */
    PINETL_REJECT_JSON = 2,       /* not valid JSON (also: empty record) */
    PINETL_REJECT_NOT_OBJECT = 3, /* valid JSON, but not an object */
    PINETL_REJECT_KEY = 4,        /* index / ind missing, not an integer, or outside int64 */
    PINETL_REJECT_ENVELOPE = 5, /* an envelope that holds no usable record (bad base64, no value) */
    PINETL_REJECT_TOO_LARGE = 6 /* a record larger than the reader accepts */
} pinetl_reject_code;
enum { PINETL_REJECT_CODES = 7 };

/* "invalid_utf8", "invalid_json", "not_an_object", "bad_key", "bad_envelope", "too_large". */
PINETL_API const char *pinetl_reject_name(pinetl_reject_code code);

/* The fields of a rendered reject, in order (pinetl_batch_render_rejects): "table", "source",
 * "line", "offset", "reason", "message", "raw" (written "raw_base64" when the bytes are not
 * UTF-8); NULL when out of range. */
enum { PINETL_REJECT_FIELDS = 7 };
PINETL_API const char *pinetl_reject_field_name(int field);

PINETL_API int pinetl_batch_new(pinetl_batch **out, pinetl_table table);
PINETL_API void pinetl_batch_free(pinetl_batch *batch);
/* Drops all rows and keeps the memory for the next records. */
PINETL_API void pinetl_batch_clear(pinetl_batch *batch);
PINETL_API pinetl_table pinetl_batch_table(const pinetl_batch *batch);

/* Which columns the next rows get (bit c = column c; 0 = all, the default; the key, column 0, is
 * always cleaned). Records are scanned and rejected exactly as with all columns; the columns left
 * out are null in every row, their text is not decoded, and they count no nulls or warnings in
 * pinetl_stats. For readers of a few columns (the insights). Only while the batch has no rows
 * (after new or clear); kept by clear. PINETL_EINVAL for a column the table does not have. */
PINETL_API int pinetl_batch_select_columns(pinetl_batch *batch, uint32_t columns);
/* The selection in force: all the table's columns by default. */
PINETL_API uint32_t pinetl_batch_selected_columns(const pinetl_batch *batch);

/* Versioned options (see pinetl.h): init with the version the caller was written for. */
enum { PINETL_CLEAN_OPTIONS_VERSION = 1 };

typedef struct pinetl_clean_options {
    unsigned version;                 /* set by pinetl_clean_options_init */
    pinetl_input_format input_format; /* AUTO by default */
    const char *source;               /* names the input in reject positions; "<input>" when NULL */
    int64_t first_line;               /* line number of the first byte of data (default 1) */
    int64_t first_offset; /* byte offset of the first byte of data in the source (default 0) */
} pinetl_clean_options;

PINETL_API int pinetl_clean_options_init(pinetl_clean_options *options, unsigned version);

/* Cleans every record in data (JSON lines, arrays, Kafka or Kinesis envelopes; blank lines are
 * not records) and appends one row per record. options may be NULL. Fails only on bad arguments
 * or memory; bad records are rejected rows. */
PINETL_API int pinetl_batch_clean(pinetl_batch *batch, const char *data, size_t len,
                                  const pinetl_clean_options *options);

/* Appends n rows, row i from the record blob[offsets[i] .. offsets[i+1]) (the Arrow large-string
 * layout: n + 1 offsets). Each slice is one record, never an envelope; an empty slice is a
 * rejected row. Line numbers are the slice numbers counted from options->first_line. */
PINETL_API int pinetl_batch_clean_records(pinetl_batch *batch, const char *blob,
                                          const int64_t *offsets, size_t n,
                                          const pinetl_clean_options *options);

/* Rows, cleaned and rejected. */
PINETL_API size_t pinetl_batch_rows(const pinetl_batch *batch);
PINETL_API size_t pinetl_batch_rejected(const pinetl_batch *batch);

/* Per row: its pinetl_reject_code (0 = cleaned). */
PINETL_API const uint8_t *pinetl_batch_status(const pinetl_batch *batch);
/* Per row: bit c is set when column c was nulled because its value could not be cleaned. */
PINETL_API const uint32_t *pinetl_batch_warnings(const pinetl_batch *batch);
/* Per row: where the record came from: 1-based line (0 when unknown), byte offset, source id. */
PINETL_API const int64_t *pinetl_batch_lines(const pinetl_batch *batch);
PINETL_API const int64_t *pinetl_batch_offsets(const pinetl_batch *batch);
PINETL_API const uint32_t *pinetl_batch_source_ids(const pinetl_batch *batch);
PINETL_API const char *pinetl_batch_source_name(const pinetl_batch *batch, uint32_t source_id);

/* Column data. Validity is a bitmap, least significant bit first (Arrow): bit r set = row r has a
 * value. int64: INT64 and TIMESTAMP columns, one value per row. coords: two doubles per row.
 * text: the bytes of every row back to back, row r at data[offsets[r] .. offsets[r+1]).
 * An accessor for the wrong type returns NULL. */
PINETL_API const uint8_t *pinetl_batch_validity(const pinetl_batch *batch, int column);
PINETL_API const int64_t *pinetl_batch_int64(const pinetl_batch *batch, int column);
PINETL_API const double *pinetl_batch_coords(const pinetl_batch *batch, int column);
PINETL_API const char *pinetl_batch_text_data(const pinetl_batch *batch, int column);
PINETL_API const int64_t *pinetl_batch_text_offsets(const pinetl_batch *batch, int column);

/* A rejected row's reason, e.g. "field 'index': \"12a\" is not an integer"; NULL for a cleaned
 * row. raw is the record as it arrived (bytes, maybe not UTF-8). */
PINETL_API const char *pinetl_batch_reject_message(const pinetl_batch *batch, size_t row);
PINETL_API int pinetl_batch_reject_raw(const char **raw, size_t *len, const pinetl_batch *batch,
                                       size_t row);

/* Text columns for consumers that make one object per text (a Python str, ...).
 *
 * A text dictionary stores each distinct text once and names it by a code (0, 1, ... in order of
 * first sight; codes last for the dictionary's life, across calls), so repeated texts become one
 * object each. pinetl_text_dict_encode sets codes[r] for n texts (text r at
 * data[offsets[r] .. offsets[r+1])): the text's
 * code, or -1 where the validity bitmap (may be NULL: all valid) marks row r null. The texts are
 * stored back to back, each followed by a NUL byte: text i at data[offsets[i] .. offsets[i+1] - 1)
 * (count + 1 offsets); data and offsets stay valid until the next encode or free. */
typedef struct pinetl_text_dict pinetl_text_dict;

PINETL_API int pinetl_text_dict_new(pinetl_text_dict **out);
PINETL_API void pinetl_text_dict_free(pinetl_text_dict *dict);
PINETL_API int pinetl_text_dict_encode(int32_t *codes, pinetl_text_dict *dict, const char *data,
                                       const int64_t *offsets, const uint8_t *validity, size_t n);
PINETL_API size_t pinetl_text_dict_count(const pinetl_text_dict *dict);
/* The dictionary policy the reader's workers apply, for callers that keep their own dictionary:
 * 0 once the dictionary has seen `rows` rows, at least PINETL_TEXT_DICT_TRIAL_ROWS, and more than
 * half of them were new texts, or holds 32 MiB of text (then plain texts are cheaper); else 1. */
enum { PINETL_TEXT_DICT_TRIAL_ROWS = 4096 };
PINETL_API int pinetl_text_dict_worthwhile(const pinetl_text_dict *dict, size_t rows);
PINETL_API const char *pinetl_text_dict_data(const pinetl_text_dict *dict);
PINETL_API const int64_t *pinetl_text_dict_offsets(const pinetl_text_dict *dict);

/* Output formats for cleaned rows. */
typedef enum pinetl_format {
    PINETL_FORMAT_NONE = 0, /* reader options: workers do not render */
    PINETL_FORMAT_JSONL = 1,
    PINETL_FORMAT_CSV = 2
} pinetl_format;

/* "jsonl", "csv"; NULL for NONE or an unknown value. */
PINETL_API const char *pinetl_format_name(pinetl_format format);
/* PINETL_EINVAL (with a message listing the names) for an unknown name. */
PINETL_API int pinetl_format_from_name(pinetl_format *out, const char *name);

/* Renders the cleaned rows (rejected rows are skipped): JSON lines with keys in column order and
 * doubles that read back exactly, or CSV (RFC 4180; null = empty field; coordinates as
 * "[lat,lon]"), with the header line first when with_header is non-zero. *out is owned by the
 * batch and valid until it changes. */
PINETL_API int pinetl_batch_render(const char **out, size_t *len, pinetl_batch *batch,
                                   pinetl_format format, int with_header);
/* Renders the rejected rows as JSON lines:
 * {"table":..,"source":..,"line":..,"offset":..,"reason":..,"message":..,"raw":..}
 * ("raw_base64" replaces "raw" when the raw bytes are not UTF-8). */
PINETL_API int pinetl_batch_render_rejects(const char **out, size_t *len, pinetl_batch *batch);

/* Run totals. Arrays are indexed by column number / reject code. */
typedef struct pinetl_stats {
    pinetl_table table;
    int64_t read; /* records seen = cleaned + rejected */
    int64_t cleaned;
    int64_t rejected;
    int64_t rejected_by_code[8];
    int64_t nulls[16]; /* cleaned rows where column c is null */
    int64_t
        warnings[16]; /* cleaned rows where column c was nulled because it could not be cleaned */
} pinetl_stats;

PINETL_API void pinetl_stats_init(pinetl_stats *stats, pinetl_table table);
/* Adds the batch's counts to stats. */
PINETL_API void pinetl_stats_add_batch(pinetl_stats *stats, const pinetl_batch *batch);
PINETL_API void pinetl_stats_merge(pinetl_stats *into, const pinetl_stats *from);
/* A JSON object / a short human summary (several lines); free with pinetl_free. */
PINETL_API int pinetl_stats_to_json(char **out, const pinetl_stats *stats);
PINETL_API int pinetl_stats_to_text(char **out, const pinetl_stats *stats);

/* Frees memory that pinetl handed over (strings from *_to_json and the like). */
PINETL_API void pinetl_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
