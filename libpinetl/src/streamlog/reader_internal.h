/* The stream log reader, which the writer also runs over its file to recover it. */
#ifndef PINETL_STREAMLOG_READER_INTERNAL_H
#define PINETL_STREAMLOG_READER_INTERNAL_H

#include <stdint.h>

#include <pinetl/streamlog.h>

struct pinetl_streamlog_reader {
    int fd;
    int own_fd;         /* close fd on free */
    unsigned char *buf; /* bytes of the file from buf_off, buf_len of them */
    size_t cap, buf_len;
    uint64_t buf_off;
    uint64_t pos;   /* file offset of the next record */
    uint64_t seq;   /* sequence number of the last record returned (or skipped) */
    int hinted;     /* positioned by a hint not yet confirmed by a record */
    int recovering; /* a sequence gap ends the log (DONE) instead of failing */
    int stop;       /* why the last PINETL_DONE stopped: a PINETL__SLOG_* code */
    char *path;     /* for messages */
};

/* Sets up a reader over fd (not owned) from offset 0, for the writer's recovery. */
int pinetl__slog_reader_init_fd(struct pinetl_streamlog_reader *r, int fd, const char *path);
void pinetl__slog_reader_release(struct pinetl_streamlog_reader *r);

#endif
