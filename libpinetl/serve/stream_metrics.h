/* pinetl stream's metrics as a node-exporter textfile (--metrics-file): the families of
 * metrics.h's registry, rewritten atomically (a temporary file beside it, renamed over it) after
 * each committed micro-batch and at most once a second otherwise, so that a collector never reads
 * half a file. A file rather than a port: the consumer stays a batch-style process with nothing
 * to secure, and node-exporter's textfile collector (or any reader) picks it up. */
#ifndef PINETL_SERVE_STREAM_METRICS_H
#define PINETL_SERVE_STREAM_METRICS_H

#include <pinetl/stream.h>

typedef struct pinetl_stream_textfile pinetl_stream_textfile;

/* Nothing is written yet. path: the file node-exporter reads (its folder must exist). */
int pinetl_stream_textfile_new(pinetl_stream_textfile **out, const char *path);
/* After a poll or flush: committed says whether it committed a micro-batch (observed into the
 * commit latency histogram). Writes the file when a batch was committed, when force is set, or
 * when the last write is a second old. PINETL_EIO (message set) when the file cannot be written. */
int pinetl_stream_textfile_update(pinetl_stream_textfile *t, pinetl_stream_consumer *c,
                                  int committed, int force);
void pinetl_stream_textfile_free(pinetl_stream_textfile *t);

#endif
