/* What the stream consumer (src/stream) needs of the warehouse beyond the public API. */
#ifndef PINETL_WAREHOUSE_STREAM_INTERNAL_H
#define PINETL_WAREHOUSE_STREAM_INTERNAL_H

#include <stdint.h>

#include <pinetl/warehouse.h>

/* Adds a reject row (no raw bytes) in the open load transaction: a record the consumer could
 * not read (reason "quarantined": its bytes in the log are damaged). */
int pinetl__warehouse_stream_reject(pinetl_warehouse *wh, const char *table, const char *source,
                                    int64_t line, int64_t offset, const char *reason,
                                    const char *message);
/* Takes the warehouse's consumer lock (an exclusive flock on <db>.stream-lock, held while *fd_out
 * is open; -1 for an in-memory warehouse). PINETL_EIO, saying so, when another process has it. */
int pinetl__warehouse_lock_stream(int *fd_out, pinetl_warehouse *wh);

#endif
