/* A batch taken over from the reader (pinetl_reader_take_batch: Arrow export, pandas) is never
 * reused, so its successor starts empty. A fresh text blob that grows by doubling copies what it
 * holds at each step into pages it faults in: over a read, a second copy of every text and a
 * tenth of pinetl.read_json's CPU (docs/performance.md, "Python readers"). Consecutive batches
 * of one input are alike, so the successor starts with the text room the taken one used. */
#include "batch_room.h"

#include "core/storage.h"

void pinetl__io_batch_room_like(pinetl_batch *fresh, const pinetl_batch *taken) {
    /* Rows keep growing by doubling as they are added: their arrays are small, and an empty
     * batch grown in advance would copy its unwritten arrays (faults on zero pages and TLB
     * flushes, measured dearer than the copies saved). The text blobs need a row's offsets. */
    if (!taken->rows || fresh->rows || pinetl__batch_reserve_row(fresh))
        return;
    for (int c = 0; c < taken->ncols; c++) {
        const column *tc = &taken->cols[c];
        if (tc->type != PINETL_TYPE_TEXT || !tc->text)
            continue;
        size_t used = tc->viewed ? tc->text_len : (size_t)tc->offsets[taken->rows];
        if (used) /* a failure leaves the column as it was */
            (void)pinetl__text_room(&fresh->cols[c], 0, used + used / 8);
    }
}
