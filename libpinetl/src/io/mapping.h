/* A regular file mapped read-only into memory and shared by reference: the reader splits it in
 * place and batches with text views point into it, so it lives until the last of them lets go. */
#ifndef PINETL_IO_MAPPING_H
#define PINETL_IO_MAPPING_H

#include <stddef.h>

typedef struct io_mapping io_mapping;

/* Maps size bytes of fd (size > 0). NULL when the file cannot be mapped (no error is set: the
 * caller reads it instead). The caller holds one reference. */
io_mapping *pinetl__io_mapping_open(int fd, size_t size);
const char *pinetl__io_mapping_data(const io_mapping *m);
size_t pinetl__io_mapping_size(const io_mapping *m);
void pinetl__io_mapping_retain(io_mapping *m);
/* The bytes [p, p + len) of the mapping are done with (one-pass reads: nothing points into them
 * any more): their pages are dropped from the process (MADV_DONTNEED; the page cache keeps
 * them), so a mapped input does not grow the resident set as it is read. Pages are rounded
 * outward, and the 2 MiB before p go too (what fault-around mapped again): a neighbour still
 * being read faults its pages back in, nothing more. */
void pinetl__io_mapping_done(io_mapping *m, const char *p, size_t len);

/* Reads will be sequential (MADV_SEQUENTIAL: read ahead, drop behind). */
void pinetl__io_mapping_sequential(io_mapping *m);

/* Drops a reference (void * for region callbacks); the last one unmaps. NULL is ignored. */
void pinetl__io_mapping_release(void *m);

#endif
