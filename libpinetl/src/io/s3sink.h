/* The Kafka Connect S3 sink layout: topics/<prefix>.<table>/partition=<n>/<prefix>.<table>+<n>+<offset>.json */
#ifndef PINETL_IO_S3SINK_H
#define PINETL_IO_S3SINK_H

#include <stddef.h>

#include "util/buf.h"

/* A growable list of strings; notices are appended to a growable buffer. */
typedef struct io_strlist { char **items; size_t n, cap; } io_strlist;

int pinetl__io_strlist_push(io_strlist *l, const char *s);   /* copies s */
void pinetl__io_strlist_free(io_strlist *l);
/* Appends a notice line (printf style) to t; PINETL_ENOMEM with the message set on failure. */
int pinetl__io_notice(pinetl__buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The key pattern, compiled (and JIT-compiled) once per reader. */
typedef struct io_s3 io_s3;
int pinetl__io_s3_new(io_s3 **out);
void pinetl__io_s3_free(io_s3 *s3);

/* Appends the objects of table under dir to out, ordered by topic, partition and offset
 * (numerically); other tables' objects are skipped silently, files outside the layout with a
 * line in notices. Fails with PINETL_EIO / PINETL_ENOMEM (message set). */
int pinetl__io_s3_list(io_s3 *s3, const char *dir, const char *table, io_strlist *out, pinetl__buf *notices);

#endif
