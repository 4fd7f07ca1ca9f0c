/* The Kafka Connect S3 sink layout, defined once: every writer (pinetl serve's landing, the
 * Python S3-sink consumer) names its objects with these calls, and every lister (the readers,
 * the daily chain, the Databricks job) finds them with them.
 *
 *   topics/<topic>/partition=<p>/<topic>+<p>+<start offset>.json
 *
 * An object holds the records of one topic partition from its start offset on, one JSON value a
 * line; writers give the start offset 10 digits at least (zero-padded), readers take any number
 * of digits. A topic name is 1 to 249 characters of [A-Za-z0-9._-], not "." or "..", as Kafka
 * checks it. A topic carries the records of one table: the topic is the table's name ("pin") or
 * a prefix, a dot and the table's name ("0a1b.pin"); the table is what follows the last dot. */
#ifndef PINETL_S3SINK_H
#define PINETL_S3SINK_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* PINETL_OK when topic is a valid topic name, else PINETL_EINVAL (the message names it). */
PINETL_API int pinetl_s3sink_topic_check(const char *topic);

/* The table whose records a topic carries ("pin" and "0a1b.pin" are pin's). PINETL_EINVAL for an
 * invalid topic name, PINETL_ENOTFOUND for a topic that names no table. */
PINETL_API int pinetl_s3sink_topic_table(pinetl_table *out, const char *topic);

/* "topics/<topic>/partition=<p>": a partition's folder, relative to the landing folder. Free
 * with pinetl_free. PINETL_EINVAL for an invalid topic name or a negative partition. */
PINETL_API int pinetl_s3sink_partition_dir(char **out, const char *topic, int32_t partition);

/* "<topic>+<p>+<start, 10 digits at least>.json": the name of the object that starts at offset
 * start. Free with pinetl_free. */
PINETL_API int pinetl_s3sink_object_name(char **out, const char *topic, int32_t partition,
                                         uint64_t start);

/* Parses an object's file name (no folder): the topic is name[0, *topic_len). PINETL_EINVAL when
 * name is not an object name (nothing is written then). */
PINETL_API int pinetl_s3sink_object_parse(size_t *topic_len, int32_t *partition, uint64_t *start,
                                          const char *name);

/* A glob pattern, relative to the landing folder, matching the objects of a table's topics: the
 * layout above with '*' for the partition and the offset, and, when prefixed is 1, for the topic's
 * prefix (the bare topic "pin" when 0). For listers that cannot call pinetl_s3sink_list, such as
 * Spark reading a remote store. Free with pinetl_free. */
PINETL_API int pinetl_s3sink_table_glob(char **out, pinetl_table table, int prefixed);

/* The objects of one table in a folder. */
typedef struct pinetl_s3sink_objects pinetl_s3sink_objects;

/* Lists the objects of table under dir, ordered by topic, partition and start offset
 * (numerically), then by path. dir is read as what its resolved name says it is, and only the
 * layout's folders below it are entered: "partition=<n>" (a partition), "topics", a topic
 * naming a table ("pin", "0a1b.pin"), or else a folder holding topics/ (the landing: only its
 * topics/ is read); any other folder is PINETL_EFORMAT, the message naming what it holds. A file
 * is an object when its name, its folder (partition=<p>, the same digits) and its folder's
 * folder (the topic) fit the layout, matched on the resolved path; other tables' topics and
 * objects are skipped silently, anything else with a line in the notices, as is finding no
 * object of the table (a read of such a folder fails instead). PINETL_ENOTFOUND when dir does
 * not exist, PINETL_EIO when it cannot be read. */
PINETL_API int pinetl_s3sink_list(pinetl_s3sink_objects **out, const char *dir, pinetl_table table);
PINETL_API size_t pinetl_s3sink_objects_count(const pinetl_s3sink_objects *objects);
/* The i-th object's path (dir joined with its path below dir); NULL when out of range. */
PINETL_API const char *pinetl_s3sink_objects_path(const pinetl_s3sink_objects *objects, size_t i);
/* What the listing skipped, one line each ("" when nothing). */
PINETL_API const char *pinetl_s3sink_objects_notices(const pinetl_s3sink_objects *objects);
PINETL_API void pinetl_s3sink_objects_free(pinetl_s3sink_objects *objects);

#ifdef __cplusplus
}
#endif
#endif
