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
    uint16_t reserved;
    uint32_t crc;
} pinetl__slog_header;

/* What a frame check found. */
enum {
    PINETL__SLOG_VALID = 0,
    PINETL__SLOG_INCOMPLETE, /* fewer bytes than the frame needs */
    PINETL__SLOG_BAD_MAGIC,
    PINETL__SLOG_BAD_HEADER, /* reserved field not 0, or a length beyond the limits */
    PINETL__SLOG_BAD_CRC
};

/* Static text for a check result ("torn record", "bad magic", ...). */
const char *pinetl__slog_reason(int check);

/* Writes the 32-byte frame header of a record with the given sequence number and arrival time,
 * CRC included. */
void pinetl__slog_encode(unsigned char *out, const char *key, size_t key_len, const char *data,
                         size_t data_len, uint64_t seq, int64_t arrival_us);

/* Checks the frame that starts at p, of which avail bytes are at hand. Sets *h (once the header
 * is there) and *total (the frame's size, once known). With check_crc 0 only the header is
 * checked (a record being skipped). */
int pinetl__slog_check(const unsigned char *p, size_t avail, int check_crc, pinetl__slog_header *h,
                       size_t *total);

#endif
