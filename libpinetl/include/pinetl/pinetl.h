/* libpinetl: the Pinterest pipeline's cleaning and insights. Include this one header.
 *
 * The API convention (SQLite / libgit2 style), which every public header follows:
 *
 * - Names: everything public is pinetl_<module>_<verb>; types are opaque handles
 *   (pinetl_batch, pinetl_reader, ...) made by pinetl_X_new / _open and released by
 *   pinetl_X_free, which accepts NULL. Internal functions are pinetl__<module>_<verb> and never
 *   exported from the shared library.
 * - Results: fallible calls return int: PINETL_OK (0), a negative PINETL_E* code, or for step
 *   calls a positive PINETL_BATCH / PINETL_DONE. The message of the last failure on this thread
 *   is pinetl_error_last(). Bad records are data (rejected rows), never error codes.
 * - Out-parameters come first: pinetl_X(&out, handle, inputs...). An out-parameter is written
 *   only on success unless its function says otherwise; handles are set to NULL on failure.
 * - Enums are typed (pinetl_table, pinetl_format, pinetl_input_format, pinetl_insight, ...) in
 *   signatures and structs; int is used only for counts, flags and result codes.
 * - Returned strings follow one rule. const char * is borrowed: static text (names), or owned
 *   by the handle it came from and valid until that handle changes or is freed. char * (and
 *   char ** out-parameters) is the caller's: free it with pinetl_free. No public struct holds a
 *   fixed-size string.
 * - Option structs that will grow are versioned: declare one, call
 *   pinetl_X_options_init(&opts, PINETL_X_OPTIONS_VERSION), then set fields. Calls check the
 *   version and reject a struct that was not set up (PINETL_EINVAL). A NULL options pointer
 *   means the defaults.
 * - Fixed arrays in public structs are sized by, or statically asserted against, their count
 *   (PINETL_MAX_COLUMNS, PINETL_REJECT_CODES, PINETL_TABLE_COUNT, PINETL_INSIGHT_COUNT).
 * - Headers are plain C11 that C++ and CFFI can parse: no inline functions and no function-like
 *   macros; each compiles on its own.
 * - Threads: a handle is used by one thread at a time; results (pinetl_insights) and the
 *   per-value functions (scalar.h) are safe from any thread. */
#ifndef PINETL_H
#define PINETL_H

#include "version.h"
#include "common.h"
#include "scalar.h"
#include "s3sink.h"
#include "batch.h"
#include "reader.h"
#include "insights.h"
#include "warehouse.h"
#include "daily_ledger.h"
#include "streamlog.h"
#include "stream.h"
#include "arrow.h"

#endif
