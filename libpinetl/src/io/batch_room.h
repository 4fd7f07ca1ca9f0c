/* Room for a fresh batch sized from the batch it succeeds (pinetl_reader_take_batch). */
#ifndef PINETL_IO_BATCH_ROOM_H
#define PINETL_IO_BATCH_ROOM_H

#include <pinetl/batch.h>

/* Gives each text column of fresh (new, empty) the room its texts took in taken, and an eighth
 * more. Only a hint: on memory failure fresh grows as usual when it is filled. */
void pinetl__io_batch_room_like(pinetl_batch *fresh, const pinetl_batch *taken);

#endif
