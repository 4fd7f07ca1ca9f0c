/* Text views: batches whose text columns are 16-byte views (Arrow's string view layout) into
 * input memory the batch keeps alive, or into the column's own blob for texts that needed
 * decoding (storage.h). The reader makes them (its text_views option); the Arrow export reads
 * them. Such a batch cannot be rendered and its pinetl_batch_text_* accessors return NULL. */
#ifndef PINETL_CORE_TEXT_VIEWS_H
#define PINETL_CORE_TEXT_VIEWS_H

#include <pinetl/batch.h>

/* From now on the batch stores texts as views. Only on a new, empty batch; PINETL_EINVAL
 * otherwise. */
int pinetl__batch_use_views(pinetl_batch *b);

/* Adds a region: records at [base, base + len) may be pointed into until the batch is cleared or
 * freed, which calls release(ref) once; on failure release(ref) is called at once. len must stay
 * below 2 GiB (a view's offset is 32 bits). */
int pinetl__batch_add_region(pinetl_batch *b, const char *base, size_t len, void *ref,
                             void (*release)(void *ref));

/* 1 when the batch's texts are views. */
int pinetl__batch_has_views(const pinetl_batch *b);

/* Text column c's views (16 bytes per row); NULL when the batch has no views or c is no text. */
const uint8_t *pinetl__batch_text_views(const pinetl_batch *b, int c);

/* The buffers text column c's views point into: 1 + the number of regions, at most max of them
 * written: data[0] the column's blob, data[1 + i] region i, with their sizes in bytes. */
size_t pinetl__batch_view_buffers(const pinetl_batch *b, int c, const char **data, int64_t *sizes,
                                  size_t max);

#endif
