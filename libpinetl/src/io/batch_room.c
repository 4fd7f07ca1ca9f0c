/* A batch taken over from the reader (pinetl_reader_take_batch: Arrow export, pandas) is never
 * reused, so its successor starts empty. A fresh text blob that grows by doubling copies what it
 * holds at each step into pages it faults in: over a read, a second copy of every text and a
 * tenth of pinetl.read_json's CPU (docs/performance.md, "Python readers"). Consecutive batches
 * of one input are alike, so the successor starts with the rows and text room the taken one
 * used. */
#include "batch_room.h"

#include "core/storage.h"

void pinetl__io_batch_room_like(pinetl_batch *fresh, const pinetl_batch *taken) {
    if (!taken->rows || fresh->rows)
        return;
    /* Rows too (with text views, 16 bytes a text): reserve_row doubles a full batch's room, so
     * the empty batch counts as full while it grows. */
    while (fresh->cap < taken->rows) {
        fresh->rows = fresh->cap;
        int rc = pinetl__batch_reserve_row(fresh);
        fresh->rows = 0;
        if (rc)
            return;
    }
    for (int c = 0; c < taken->ncols; c++) {
        const column *tc = &taken->cols[c];
        if (tc->type != PINETL_TYPE_TEXT || !tc->text)
            continue;
        size_t used = tc->viewed ? tc->text_len : (size_t)tc->offsets[taken->rows];
        if (used) /* a failure leaves the column as it was */
            (void)pinetl__text_room(&fresh->cols[c], 0, used + used / 8);
    }
}
