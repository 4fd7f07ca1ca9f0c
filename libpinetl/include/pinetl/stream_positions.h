/* Stream positions in the warehouse: committed in the same SQLite transaction as the rows they
 * produced, so that a stream consumer (stream.h) restarted after any crash applies each record
 * exactly once.
 *
 * Positions live in the warehouse table
 *   stream_positions(stream TEXT, shard TEXT, seq INTEGER, "offset" INTEGER, updated_at TEXT,
 *                    log_id TEXT, PRIMARY KEY(stream, shard))
 * seq is the last sequence number of the shard whose record is in the tables (or in rejects),
 * offset the byte offset just after that record in the shard's log, log_id the identity of that
 * log (streamlog.h; NULL in a position committed before log identities: such a table gets the
 * column added at the next stream transaction, and the position its identity at the next
 * commit). */
#ifndef PINETL_STREAM_POSITIONS_H
#define PINETL_STREAM_POSITIONS_H

#include "warehouse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pinetl_stream_position {
    const char *stream; /* stream name */
    const char *shard;  /* shard id, e.g. "shardId-000000000000" */
    uint64_t seq;       /* last sequence number applied */
    uint64_t offset;    /* byte offset just after that record in the shard's log */
    const char *log_id; /* the log's identity (pinetl_streamlog_reader_log_id); NULL or "" keeps
                           the one stored */
} pinetl_stream_position;

/* The committed position of a shard; seq and offset 0 when there is none. */
PINETL_API int pinetl_warehouse_stream_position(uint64_t *seq, uint64_t *offset,
                                                pinetl_warehouse *warehouse, const char *stream,
                                                const char *shard);
/* The log identity a shard's position was committed with, into log_id (cap >= 33): "" when there
 * is no position or it has none. */
PINETL_API int pinetl_warehouse_stream_position_log(char *log_id, size_t cap,
                                                    pinetl_warehouse *warehouse, const char *stream,
                                                    const char *shard);
/* Deletes a shard's position (*forgotten, may be NULL: 1 when there was one), so a consumer
 * reads the shard's log from its start: what an operator does after the log was replaced. */
PINETL_API int pinetl_warehouse_forget_stream_position(int *forgotten, pinetl_warehouse *warehouse,
                                                       const char *stream, const char *shard);
/* Like pinetl_warehouse_begin, for frequent small transactions: the database stays in WAL mode
 * (no switch to a rollback journal and back at each commit). */
PINETL_API int pinetl_warehouse_begin_stream(pinetl_warehouse *warehouse);
/* Stores n positions and commits the open load transaction: the loads since begin and the
 * positions are one SQLite transaction, committed or rolled back together. */
PINETL_API int pinetl_warehouse_commit_positions(pinetl_warehouse *warehouse,
                                                 const pinetl_stream_position *positions, size_t n);

#ifdef __cplusplus
}
#endif
#endif
