/* The Kafka Connect S3 sink layout: topics/<prefix>.<table>/partition=<n>/<prefix>.<table>+<n>+<offset>.json */
#ifndef PINETL_IO_S3SINK_H
#define PINETL_IO_S3SINK_H

#include <stddef.h>

/* A growable list of strings, and a growable text. */
typedef struct io_strlist { char **items; size_t n, cap; } io_strlist;
typedef struct io_text { char *p; size_t len, cap; } io_text;

int io_strlist_push(io_strlist *l, const char *s);   /* copies s */
void io_strlist_free(io_strlist *l);
int io_text_appendf(io_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void io_text_free(io_text *t);

/* The key pattern, compiled (and JIT-compiled) once per reader. */
typedef struct io_s3 io_s3;
int io_s3_new(io_s3 **out);
void io_s3_free(io_s3 *s3);

/* Appends the objects of table under dir to out, ordered by topic, partition and offset
 * (numerically); other tables' objects are skipped silently, files outside the layout with a
 * line in notices. Fails with PINETL_EIO / PINETL_ENOMEM (message set). */
int io_s3_list(io_s3 *s3, const char *dir, const char *table, io_strlist *out, io_text *notices);

#endif
