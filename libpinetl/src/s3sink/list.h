/* Listing an S3 sink directory (the layout of s3sink.h): for the readers, which gather the
 * notices of all their inputs in one buffer, and for pinetl_s3sink_list. */
#ifndef PINETL_S3SINK_LIST_H
#define PINETL_S3SINK_LIST_H

#include <stddef.h>

#include <pinetl/s3sink.h>

#include "util/buf.h"
#include "util/strlist.h"

/* Appends the objects of table under dir to out, ordered by topic, partition and offset
 * (numerically); other tables' objects are skipped silently, files outside the layout with a
 * line in notices. dir is read as what its name says it is (pinetl_s3sink_list); any other
 * folder is PINETL_EFORMAT, naming what it holds. With require set, finding no object of the
 * table is PINETL_EFORMAT too, naming what was skipped (a read must not come back empty
 * silently); else a line in notices. Fails with PINETL_EIO / PINETL_ENOTFOUND / PINETL_ENOMEM
 * (message set). */
int pinetl__s3sink_list(const char *dir, pinetl_table table, int require, pinetl__strlist *out,
                        pinetl__buf *notices);

/* The same for the keys of a bucket below dir (an s3:// URI without the trailing '/'): keys are
 * relative to dir, and dir's last component says what it is as for a folder; a dir holding
 * keys under topics/ is the landing (only topics/ is read). Objects come out as dir + "/" + key,
 * in the same order as from a folder. */
int pinetl__s3sink_list_keys(const char *dir, const char *const *keys, size_t n, pinetl_table table,
                             int require, pinetl__strlist *out, pinetl__buf *notices);

#endif
