/* The one-pass render (docs/performance.md): a batch that renders each cleaned record to JSON
 * lines or CSV as it comes in, straight from the record's bytes, and keeps no columns. The reader
 * makes such batches for render_format; they hold rows, statuses, positions, rejects, the render
 * and the stats (nulls and warnings counted as the rows are rendered), and their column accessors
 * return NULL. The values come from the same rules as the columnar batch's (clean.h), so both
 * render the same bytes. */
#ifndef PINETL_CORE_DIRECT_H
#define PINETL_CORE_DIRECT_H

#include <pinetl/batch.h>

/* From now on the batch renders rows in format as they come. Only on a new, empty batch without
 * text views; PINETL_EINVAL otherwise. */
int pinetl__batch_use_direct(pinetl_batch *b, pinetl_format format);

/* With CSV: starts the (empty) render with the header line. */
int pinetl__batch_direct_header(pinetl_batch *b);

/* The format the batch renders in one pass, or 0. */
int pinetl__batch_direct_format(const pinetl_batch *b);

#endif
