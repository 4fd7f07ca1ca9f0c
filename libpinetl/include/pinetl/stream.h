/* Streaming into the warehouse, exactly once: a consumer that tails the stream logs
 * (streamlog.h) under a landing folder, cleans micro-batches and appends them to the warehouse,
 * committing each shard's position with the rows (stream_positions.h).
 *
 * Rejected records go to rejects with source "<stream>/<shard>" (e.g.
 * "streaming-0a1b-pin/shardId-000000000000"), line = the record's sequence number and offset =
 * the byte offset of its frame in the shard's log. */
#ifndef PINETL_STREAM_H
#define PINETL_STREAM_H

#include "streamlog.h"
#include "stream_positions.h"
#include "warehouse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The consumer. Streams are found as <landing>/streams/<stream>/<shard>.log (new ones are picked
 * up while it runs); each stream feeds one table: the one set with pinetl_stream_consumer_map,
 * else the one its name ends in ("pin", "geo" or "user", after '-', '.' or '_', or the whole
 * name). Streams that map to no table are left alone (listed in the notices). */
typedef struct pinetl_stream_consumer pinetl_stream_consumer;

/* Versioned options (see pinetl.h): init with the version the caller was written for. */
enum { PINETL_STREAM_OPTIONS_VERSION = 1 };

typedef struct pinetl_stream_options {
    unsigned version;     /* set by pinetl_stream_options_init */
    size_t batch_records; /* a micro-batch is committed at this many records (default 10000) */
    int batch_ms;         /* ... or this many ms after its first record (default 100; 0 = as
                              soon as the logs are drained) */
    int rescan_ms;        /* how often the landing folder is scanned for new shards (1000) */
    int stuck_notice_ms;  /* bytes at a log's end that form no valid record for this long are
                              reported in the notices, once (5000) */
} pinetl_stream_options;

PINETL_API int pinetl_stream_options_init(pinetl_stream_options *options, unsigned version);

/* A consumer writing into warehouse (which it does not own; free it after the consumer).
 * options may be NULL. */
PINETL_API int pinetl_stream_consumer_new(pinetl_stream_consumer **out, pinetl_warehouse *warehouse,
                                          const char *landing,
                                          const pinetl_stream_options *options);
/* Maps a stream name to a table, before the first poll. */
PINETL_API int pinetl_stream_consumer_map(pinetl_stream_consumer *consumer, const char *stream,
                                          pinetl_table table);
/* One round: reads what the logs have (up to the micro-batch size) and commits the micro-batch
 * when it is full or old enough. PINETL_BATCH when it committed one, PINETL_DONE when it did not
 * (the logs are drained, or the batch is waiting for its time): call again later, after at most
 * pinetl_stream_consumer_wait_ms. Negative on failure (nothing of the open micro-batch is
 * committed; the consumer continues from the committed positions). */
PINETL_API int pinetl_stream_consumer_poll(pinetl_stream_consumer *consumer);
/* Commits the open micro-batch now (if any): PINETL_BATCH or PINETL_DONE. */
PINETL_API int pinetl_stream_consumer_flush(pinetl_stream_consumer *consumer);
/* How long a caller may sleep before the next poll without delaying a commit. */
PINETL_API int pinetl_stream_consumer_wait_ms(const pinetl_stream_consumer *consumer, int max_ms);
/* Sleeps up to max_ms, returning early (1) when a log the consumer reads changes or a stream or
 * shard appears (inotify on Linux; elsewhere a plain sleep, 0); a signal also ends it. */
PINETL_API int pinetl_stream_consumer_wait(pinetl_stream_consumer *consumer, int max_ms);

typedef struct pinetl_stream_status {
    int64_t shards;          /* shard logs being read */
    int64_t batches;         /* micro-batches committed */
    int64_t records;         /* records committed (rows + rejects) */
    int64_t rejects;         /* of which rejected */
    int64_t pending;         /* records read, not committed yet */
    int64_t behind_bytes;    /* bytes of the logs after the committed positions */
    int drained;             /* every log was read to its current end at the last poll */
    int64_t last_latency_us; /* at the last commit: commit time - arrival of its newest record */
    int64_t latency_p50_us;  /* over every committed record: commit time - arrival time */
    int64_t latency_p99_us;
    int64_t latency_max_us;
} pinetl_stream_status;

PINETL_API int pinetl_stream_consumer_status(pinetl_stream_status *out,
                                             pinetl_stream_consumer *consumer);

/* One shard log's progress, for metrics (pinetl stream --metrics-file). */
typedef struct pinetl_stream_shard_status {
    const char *stream;  /* the stream's name; valid until the consumer is freed */
    const char *shard;   /* the log's name without .log, e.g. "shardId-000000000000" */
    int64_t records;     /* records of this log committed by this consumer (not counting the
                            rejects of damaged ranges) */
    int64_t lag_records; /* records read from the log, not committed yet */
    int64_t lag_bytes;   /* bytes of the log after the committed position */
} pinetl_stream_shard_status;

/* Shard index (0 <= index < pinetl_stream_status.shards; the order is stable while the consumer
 * runs, new shards come last). PINETL_EINVAL when index is out of range. */
PINETL_API int pinetl_stream_consumer_shard_status(pinetl_stream_shard_status *out,
                                                   pinetl_stream_consumer *consumer, int64_t index);
/* Messages worth showing once (a stream mapped to no table, a torn tail waited on): lines, each
 * ending in a newline; taken, so each is returned once. NULL when there is none. Free with
 * pinetl_free. */
PINETL_API char *pinetl_stream_consumer_notices(pinetl_stream_consumer *consumer);
PINETL_API void pinetl_stream_consumer_free(pinetl_stream_consumer *consumer);

#ifdef __cplusplus
}
#endif
#endif
