/* Landing writer: one Kafka topic partition written in the Kafka Connect S3 sink layout, durably.
 *
 *   <landing>/topics/<topic>/partition=<p>/<topic>+<p>+<start offset, 10 digits>.json
 *
 * One JSON value per line; a file holds the records from its start offset on, in offset order.
 * As with the sink, a file appears in topics/ only when it is complete: records go to an open
 * file under <landing>/.serve/ that is renamed into place ("rolled") when it holds flush_size
 * records (flush.size) or when its first record is rotate_ms old (rotate.schedule.interval.ms),
 * on start and on close.
 *
 * Durability: pinetl__landing_sync makes every appended record durable (fdatasync of the open
 * file, then a small state file records its committed length and record count, synced too). On
 * open, the state file says where the committed data ends: anything after it (a torn or
 * unacknowledged tail) is cut, so after a crash the partition holds exactly the records that were
 * synced, and the next offset follows them. The state file has two checksummed slots written
 * alternately, so a torn state write leaves the previous state readable.
 *
 * A writer is used by one thread at a time. After an I/O failure it refuses further work
 * (PINETL_EIO): the state of the file is then unknown, and a restart recovers it. */
#ifndef PINETL_LANDING_H
#define PINETL_LANDING_H

#include <stddef.h>
#include <stdint.h>

typedef struct pinetl__landing pinetl__landing;

typedef struct pinetl__landing_options {
    uint64_t flush_size; /* records per file (>= 1) */
    int64_t rotate_ms;   /* roll a file once its first record is this old (<= 0: never) */
    int fsync;           /* 1: fdatasync on sync (durable); 0: write only (for measurements) */
} pinetl__landing_options;

void pinetl__landing_options_init(pinetl__landing_options *o);

/* Opens (creating folders as needed) and recovers the partition. notice (may be NULL) receives
 * one line about what recovery cut or rolled, or "" when there was nothing to do. The topic must
 * already be a validated name; PINETL_EINVAL when a file name the writer would make from it does
 * not fit the file system's limit (pathconf _PC_NAME_MAX), before anything is created. */
int pinetl__landing_open(pinetl__landing **out, char *notice, size_t notice_len,
                         const char *landing_dir, const char *topic, int partition,
                         const pinetl__landing_options *o);

/* PINETL_OK when every file name the writers of partitions 0..partitions-1 would make from topic
 * fits the file system under landing_dir; else PINETL_EINVAL saying the longest name allowed and
 * where records an earlier server acknowledged under that name wait. Nothing is created. */
int pinetl__landing_names_fit(const char *landing_dir, const char *topic, int partitions);

/* Offset the next appended record gets. */
uint64_t pinetl__landing_next_offset(const pinetl__landing *w);

/* Appends n records, record i being the bytes data[off[i] .. off[i+1]) (no newline inside; one
 * is added). *first_offset receives the offset of the first. Buffered, not yet durable; when a
 * file fills up it is rolled on the way (which syncs it). now_ms is the arrival time. */
int pinetl__landing_append(uint64_t *first_offset, pinetl__landing *w, const char *data,
                           const size_t *off, size_t n, int64_t now_ms);

/* Makes everything appended so far durable. */
int pinetl__landing_sync(pinetl__landing *w);
/* 1 when records were appended since the last sync (pinetl__landing_sync has work to do). */
int pinetl__landing_unsynced(const pinetl__landing *w);

/* Rolls the open file if it is due by time. *next_ms (may be NULL) receives when the next roll
 * by time is due (INT64_MAX when none). */
int pinetl__landing_tick(int64_t *next_ms, pinetl__landing *w, int64_t now_ms);

/* Syncs and rolls what is open, then frees. Returns the first failure; frees in any case.
 * NULL-safe. */
int pinetl__landing_close(pinetl__landing *w);

#endif
