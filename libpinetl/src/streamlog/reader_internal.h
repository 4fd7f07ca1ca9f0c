/* The stream log reader, which the writer also runs over its file to recover it. */
#ifndef PINETL_STREAMLOG_READER_INTERNAL_H
#define PINETL_STREAMLOG_READER_INTERNAL_H

#include <stdint.h>

#include <pinetl/streamlog.h>

#include "streamlog/frame.h"

struct pinetl_streamlog_reader {
    int fd;
    int own_fd;         /* close fd on free */
    unsigned char *buf; /* bytes of the file from buf_off, buf_len of them */
    size_t cap, buf_len;
    uint64_t buf_off;
    uint64_t pos;    /* file offset of the next frame */
    uint64_t seq;    /* sequence number of the last record returned (or skipped) */
    uint64_t expect; /* sequence number the next record must have (0: any, at a log's start) */
    uint64_t epoch;  /* the log's epoch at pos, when epoch_known */
    int epoch_known;
    unsigned char id[PINETL__SLOG_ID_BYTES]; /* the log's identity, when has_id */
    int has_id;
    char id_hex[2 * PINETL__SLOG_ID_BYTES + 1];
    int hinted;     /* positioned by a hint not yet confirmed by a frame */
    int recovering; /* a sequence break ends the log (DONE) instead of failing */
    int verifying;  /* scanning from the start to check a later epoch met by a resync */
    int stop;       /* why the last PINETL_DONE stopped: a PINETL__SLOG_* code, -1 a break */
    pinetl_streamlog_bad_range bad; /* the last range skipped */
    char *path;                     /* for messages */
};

/* Sets up a reader over fd (not owned) from offset 0, for the writer's recovery. */
int pinetl__slog_reader_init_fd(struct pinetl_streamlog_reader *r, int fd, const char *path);
void pinetl__slog_reader_release(struct pinetl_streamlog_reader *r);

#endif
