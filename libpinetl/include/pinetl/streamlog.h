/* Stream logs: the append-only, per-shard record logs that `pinetl serve` writes for each
 * acknowledged Kinesis record and that `pinetl stream` (and others) tail. The durability contract
 * they serve is in docs/durability.md.
 *
 * Layout: <landing>/streams/<stream-name>/shardId-000000000000.log, one file per shard.
 * The file is a sequence of frames (little-endian):
 *
 *   offset  size
 *        0     4  magic 0x314C5350 ("PSL1" in file order)
 *        4     4  payload length
 *        8     8  sequence number (per shard; 0 marks an identity frame)
 *       16     8  arrival time, microseconds since the epoch (signed)
 *       24     2  partition key length
 *       26     2  the low 16 bits of the log's epoch (0 in logs written before epochs)
 *       28     4  CRC-32C (Castagnoli) of bytes 4..28, then the key, then the payload
 *       32     -  partition key bytes, then payload bytes
 *
 * Identity frames (sequence number 0, no key, a 40-byte payload: a random 16-byte log id, the
 * epoch as u64, the sequence number of the next record, the last one before the frame) say
 * which log this is: a log starts with one (a log from before identities gets one appended when
 * a writer first opens it), and a writer that cuts bytes a reader may have returned appends one
 * with the next epoch. Records follow with sequence numbers +1, except after an identity frame,
 * which says where they continue: sequence numbers only grow and are never handed out twice
 * for one log.
 *
 * Damage: a writer opening a log keeps every valid frame. Bytes that are no valid frame but are
 * followed by one (found again by magic, header and CRC, with a sequence number the damaged
 * bytes could have held) are a bad range: left in place, copied to a quarantine file beside the
 * log (<log>.quarantine.<epoch>.<offset>) and reported; readers skip it and say so
 * (PINETL_STREAMLOG_SKIPPED). Invalid bytes at the end (a torn write) are copied there too and
 * cut; when they could have held a record (32 bytes or more), the sequence jumps past any
 * number they could have held and an identity frame with the next epoch is appended.
 *
 * Writers: one per log (an exclusive lock on the file; a second writer gets PINETL_EIO). Appends
 * are buffered by the operating system (visible to readers at once, not yet durable);
 * pinetl_streamlog_sync makes everything appended so far durable (fdatasync). A writer handle is
 * used by one thread at a time.
 *
 * Readers: any number, in any process, while the writer appends. A reader returns only complete,
 * CRC-valid records, in sequence order, and PINETL_DONE at the current end; calling next again
 * later returns what was appended meanwhile (tailing). A record's pointers stay valid until the
 * next call on the reader. */
#ifndef PINETL_STREAMLOG_H
#define PINETL_STREAMLOG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    PINETL_STREAMLOG_MAGIC = 0x314C5350,
    PINETL_STREAMLOG_HEADER_SIZE = 32,
    PINETL_STREAMLOG_MAX_KEY = 65535,       /* the u16 key length */
    PINETL_STREAMLOG_MAX_PAYLOAD = 67108864 /* 64 MiB; larger lengths are treated as corruption */
};

/* pinetl_streamlog_reader_next: a bad range was skipped (pinetl_streamlog_reader_bad_range). */
enum { PINETL_STREAMLOG_SKIPPED = 102 };

/* Flags of pinetl_streamlog_open. */
enum {
    PINETL_STREAMLOG_NOCREATE = 1 /* the log must exist (PINETL_ENOTFOUND otherwise) */
};

/* One record. For append: key and data are read (key_len <= PINETL_STREAMLOG_MAX_KEY, data_len
 * <= PINETL_STREAMLOG_MAX_PAYLOAD), arrival_us 0 means now; seq and offset are ignored. From a
 * reader: every field is set, and key/data point into the reader's buffer. */
typedef struct pinetl_streamlog_record {
    uint64_t seq;       /* sequence number */
    int64_t arrival_us; /* arrival time, microseconds since the epoch */
    const char *key;    /* partition key (not NUL-terminated) */
    size_t key_len;
    const char *data; /* payload (not NUL-terminated) */
    size_t data_len;
    uint64_t offset; /* byte offset of the record's frame in the log file */
} pinetl_streamlog_record;

typedef struct pinetl_streamlog pinetl_streamlog;
typedef struct pinetl_streamlog_reader pinetl_streamlog_reader;

/* A damaged stretch of a log that a reader skipped: bytes [offset, offset + length), which hid
 * the records first_seq..last_seq (none when first_seq > last_seq: bytes between records).
 * reason is static text ("bad CRC", "bad magic", "bad header", "torn record"). */
typedef struct pinetl_streamlog_bad_range {
    uint64_t offset, length;
    uint64_t first_seq, last_seq;
    const char *reason;
} pinetl_streamlog_bad_range;

/* What opening a log found, quarantined and cut. cut_reason is static text ("torn record",
 * "bad magic", "bad header", "bad CRC", "sequence gap"), NULL when nothing was cut. */
typedef struct pinetl_streamlog_recovery {
    uint64_t records;   /* valid records kept */
    uint64_t first_seq; /* sequence number of the first kept record (0: empty log) */
    uint64_t size;      /* file size after recovery (the identity frame it appended included) */
    uint64_t cut_bytes; /* bytes cut from the tail (0: nothing was cut); copied to a quarantine
                           file first */
    const char *cut_reason;
    uint64_t bad_ranges;   /* bad ranges inside the log (kept in place, copied to quarantine) */
    uint64_t bad_bytes;    /* their bytes */
    uint64_t bad_records;  /* the sequence numbers they hid */
    uint64_t epoch;        /* the log's epoch after recovery */
    uint64_t skipped_seqs; /* sequence numbers skipped after a cut (never handed out) */
} pinetl_streamlog_recovery;

/* Opens the log at path for appending, creating it (with its identity frame) and its parent
 * folders when needed (unless NOCREATE). Recovery: the frames are checked from the start; bad
 * ranges are copied to quarantine files, an invalid tail is copied and cut (truncated and
 * synced), and all of it is reported in pinetl_streamlog_recovery_info. */
PINETL_API int pinetl_streamlog_open(pinetl_streamlog **out, const char *path, int flags);
PINETL_API void pinetl_streamlog_recovery_info(pinetl_streamlog_recovery *out,
                                               const pinetl_streamlog *log);
/* Appends n records (one write; no sync) and sets *first_seq_out (may be NULL) to the first
 * one's sequence number; the others follow it. On failure nothing is appended (a partly written
 * tail is cut again) and the sequence does not move. */
PINETL_API int pinetl_streamlog_append(uint64_t *first_seq_out, pinetl_streamlog *log,
                                       const pinetl_streamlog_record *recs, size_t n);
/* fdatasync: after it returns 0, every record appended before is durable. */
PINETL_API int pinetl_streamlog_sync(pinetl_streamlog *log);
/* Sequence number of the last record appended (0 for an empty log). */
PINETL_API uint64_t pinetl_streamlog_last_seq(const pinetl_streamlog *log);
/* Size of the log in bytes, appends included. */
PINETL_API uint64_t pinetl_streamlog_size(const pinetl_streamlog *log);
/* Closes the log (no sync). NULL-safe. */
PINETL_API void pinetl_streamlog_free(pinetl_streamlog *log);

/* Opens a reader positioned after sequence number after_seq (0: from the start), found by a
 * scan of the record headers. PINETL_ENOTFOUND when the file does not exist; PINETL_EFORMAT when
 * the log ends before after_seq (the position is beyond the log). */
PINETL_API int pinetl_streamlog_reader_open(pinetl_streamlog_reader **out, const char *path,
                                            uint64_t after_seq);
/* The same, starting at byte offset hint (the end of record after_seq, as returned by
 * pinetl_streamlog_reader_offset) when the record there is after_seq + 1; any other case falls
 * back to the scan. */
PINETL_API int pinetl_streamlog_reader_open_at(pinetl_streamlog_reader **out, const char *path,
                                               uint64_t after_seq, uint64_t hint);
/* PINETL_BATCH with *out set to the next record; PINETL_STREAMLOG_SKIPPED when the reader
 * skipped a bad range (an invalid stretch followed by a valid frame that continues the log:
 * see pinetl_streamlog_reader_bad_range; *out is not set); PINETL_DONE at the current end (an
 * incomplete or invalid tail counts as the end: call again later). Negative on failure:
 * PINETL_EIO (read error), PINETL_EFORMAT (the log was cut below the reader's position, a
 * record breaks the sequence, or frames of another epoch follow the reader's position without
 * their identity frame: the log was cut and rewritten under the reader). */
PINETL_API int pinetl_streamlog_reader_next(pinetl_streamlog_record *out,
                                            pinetl_streamlog_reader *r);
/* The last bad range skipped (after PINETL_STREAMLOG_SKIPPED). */
PINETL_API void pinetl_streamlog_reader_bad_range(pinetl_streamlog_bad_range *out,
                                                  const pinetl_streamlog_reader *r);
/* The log's identity as 32 hex digits ("" for a log from before identities that no writer has
 * opened since), found at open. */
PINETL_API const char *pinetl_streamlog_reader_log_id(const pinetl_streamlog_reader *r);
/* PINETL_OK while the reader's path still names the file it reads; PINETL_ENOTFOUND when the
 * file was deleted, PINETL_EFORMAT when another file took its place (a message says which). */
PINETL_API int pinetl_streamlog_reader_verify(pinetl_streamlog_reader *r);
/* Sequence number of the last record returned or skipped (after_seq before the first). */
PINETL_API uint64_t pinetl_streamlog_reader_seq(const pinetl_streamlog_reader *r);
/* Byte offset just after the last record returned: where the next one starts. */
PINETL_API uint64_t pinetl_streamlog_reader_offset(const pinetl_streamlog_reader *r);
/* Bytes in the file after the reader's offset (data not read yet, or an invalid tail). */
PINETL_API int pinetl_streamlog_reader_behind(uint64_t *bytes, pinetl_streamlog_reader *r);
/* Makes the log durable up to what the reader returned (fdatasync on the reader's descriptor):
 * a consumer calls it before committing what it read, so that a power loss on the writer's side
 * cannot take back records the consumer already committed. */
PINETL_API int pinetl_streamlog_reader_sync(pinetl_streamlog_reader *r);
PINETL_API void pinetl_streamlog_reader_free(pinetl_streamlog_reader *r);

/* Kinesis-facing sequence numbers: the u64 as a decimal string zero-padded to 21 digits
 * ("000000000000000000042"). format writes it and a NUL into out (cap >= 22; PINETL_EINVAL
 * otherwise); parse accepts 1 to 21 decimal digits (PINETL_EINVAL for anything else, or a value
 * beyond u64). */
enum { PINETL_STREAMLOG_SEQ_DIGITS = 21 };
PINETL_API int pinetl_streamlog_seq_format(char *out, size_t cap, uint64_t seq);
PINETL_API int pinetl_streamlog_seq_parse(uint64_t *seq, const char *text);

/* CRC-32C (Castagnoli) of len bytes, continuing from crc (0 to start). Uses SSE4.2 when the CPU
 * has it. */
PINETL_API uint32_t pinetl_crc32c(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
