/* The daily ledger in the warehouse: per day and table, the fingerprint of the landing files the
 * daily chain loaded and their accounting, so that a day whose files have not changed is not
 * loaded again (re-running an old day never overwrites newer rows with older ones), and so that
 * the report can show every day's counts.
 *
 * The ledger lives in the warehouse table (created on the first row written)
 *   pinetl_daily_load(day TEXT, "table" TEXT, fingerprint TEXT, files INTEGER, bytes INTEGER,
 *                     read INTEGER, cleaned INTEGER, rejected INTEGER,
 *                     rejected_by_reason TEXT, written INTEGER, PRIMARY KEY(day, "table"))
 * beside stream_positions; a warehouse whose ledger an earlier pinetl wrote from Python has this
 * very table and is used as it is. day is YYYY-MM-DD; rejected_by_reason is a JSON object
 * {reason: count}. */
#ifndef PINETL_DAILY_LEDGER_H
#define PINETL_DAILY_LEDGER_H

#include "warehouse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinetl_daily_load {
    const char *day; /* YYYY-MM-DD */
    pinetl_table table;
    const char *fingerprint; /* of the files loaded (the caller's choice of hash) */
    int64_t files, bytes;    /* files loaded and their size */
    int64_t read, cleaned, rejected, written;
    const char *rejected_by_reason; /* a JSON object {reason: count} */
} pinetl_daily_load;

/* Stores the ledger row of load->day and load->table, replacing one that is there. PINETL_EINVAL
 * for a day that is not YYYY-MM-DD, an unknown table or a rejected_by_reason that is not a JSON
 * object; PINETL_ESQL when the warehouse cannot be written (opened READONLY). Inside an open load
 * transaction (pinetl_warehouse_begin) the row commits with it. */
PINETL_API int pinetl_warehouse_daily_load_put(pinetl_warehouse *warehouse,
                                               const pinetl_daily_load *load);

/* The ledger rows with from_day <= day <= until_day (either NULL: no bound), ordered by day and
 * table, as a JSON array of objects {"day", "table", "fingerprint", "files", "bytes", "read",
 * "cleaned", "rejected", "rejected_by_reason" (an object), "written"}: "[]" when there are none,
 * also when the warehouse has no ledger yet. Free *out with pinetl_free. */
PINETL_API int pinetl_warehouse_daily_loads(char **out, pinetl_warehouse *warehouse,
                                            const char *from_day, const char *until_day);

#ifdef __cplusplus
}
#endif
#endif
