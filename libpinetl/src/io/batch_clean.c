/* pinetl_batch_clean: the splitter run once over bytes that are all in memory; items are
 * cleaned as soon as they are split, as slices of the caller's bytes. */
#include <string.h>

#include "core/batch_internal.h"
#include "split.h"
#include "util/error.h"

static int run_now(void *ud, const io_item *item) { return pinetl__io_item_run(ud, item); }

int pinetl_batch_clean(pinetl_batch *batch, const char *data, size_t len,
                       const pinetl_clean_options *options) {
    pinetl_clean_options defaults;
    if (!options) {
        pinetl_clean_options_init(&defaults);
        options = &defaults;
    }
    if (!batch)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_clean: no batch");
    if (!data && len)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_clean: no data");
    if (!pinetl_input_format_name(options->input_format))
        return pinetl__error_set(PINETL_EINVAL, "pinetl_batch_clean: unknown input format %d",
                                options->input_format);
    const char *source = options->source ? options->source : "<input>";
    int rc = pinetl__batch_set_source(batch, source);
    if (rc)
        return rc;
    io_ctx ctx;
    io_split split;
    int more;
    pinetl__io_ctx_init(&ctx, batch, options->input_format, 0);
    pinetl__io_split_init(&split, source, options->input_format, 0, options->first_line,
                  options->first_offset, run_now, &ctx);
    long n = pinetl__io_split_run(&split, data ? data : "", len, 1, &more);
    pinetl__io_ctx_release(&ctx);
    return n < 0 ? (int)n : PINETL_OK;
}
