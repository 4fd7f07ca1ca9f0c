/* The stream log's record framing (see include/pinetl/streamlog.h), shared by the writer and the
 * reader. */
#ifndef PINETL_STREAMLOG_FRAME_H
#define PINETL_STREAMLOG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <pinetl/streamlog.h>

typedef struct pinetl__slog_header {
    uint32_t len; /* payload length */
    uint64_t seq;
    int64_t arrival_us;
    uint16_t key_len;
    uint16_t epoch; /* the low 16 bits of the log's epoch (0 in a log written before epochs) */
    uint32_t crc;
} pinetl__slog_header;

/* An identity frame's payload (a frame with sequence number 0, no key, this payload length):
 * the log's random id, its epoch (1 when the log is made, +1 at each recovery that cut bytes
 * a reader may have returned), the sequence number the next record has, and the last one
 * before the frame (0: none). */
enum { PINETL__SLOG_ID_BYTES = 16, PINETL__SLOG_IDENTITY_LEN = 40 };
typedef struct pinetl__slog_identity {
    unsigned char id[PINETL__SLOG_ID_BYTES];
    uint64_t epoch, next_seq, prev_seq;
} pinetl__slog_identity;

/* Writes an identity frame (PINETL_STREAMLOG_HEADER_SIZE + PINETL__SLOG_IDENTITY_LEN bytes). */
void pinetl__slog_encode_identity(unsigned char *out, const pinetl__slog_identity *id,
                                  int64_t arrival_us);
/* 1 when a valid frame (h from pinetl__slog_check) is an identity frame; its payload (at p +
 * header) is then decoded into *id. */
int pinetl__slog_identity_of(const unsigned char *p, const pinetl__slog_header *h,
                             pinetl__slog_identity *id);
/* 32 lower-case hex digits of an id, and a NUL. */
void pinetl__slog_id_hex(char out[2 * PINETL__SLOG_ID_BYTES + 1], const unsigned char *id);

/* What a frame check found. */
enum {
    PINETL__SLOG_VALID = 0,
    PINETL__SLOG_INCOMPLETE, /* fewer bytes than the frame needs */
    PINETL__SLOG_BAD_MAGIC,
    PINETL__SLOG_BAD_HEADER, /* a length beyond the limits, or sequence number 0 outside an
                                identity frame */
    PINETL__SLOG_BAD_CRC
};

/* Static text for a check result ("torn record", "bad magic", ...). */
const char *pinetl__slog_reason(int check);

/* Writes the 32-byte frame header of a record with the given sequence number and arrival time,
 * CRC included. */
void pinetl__slog_encode(unsigned char *out, const char *key, size_t key_len, const char *data,
                         size_t data_len, uint64_t seq, int64_t arrival_us, uint64_t epoch);

/* Checks the frame that starts at p, of which avail bytes are at hand. Sets *h (once the header
 * is there) and *total (the frame's size, once known). With check_crc 0 only the header is
 * checked (a record being skipped). */
int pinetl__slog_check(const unsigned char *p, size_t avail, int check_crc, pinetl__slog_header *h,
                       size_t *total);

#endif
