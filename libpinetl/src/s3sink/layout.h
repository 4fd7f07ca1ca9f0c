/* The S3 sink layout's names, parsed without copying (for the lister and the landing writer). */
#ifndef PINETL_S3SINK_LAYOUT_H
#define PINETL_S3SINK_LAYOUT_H

#include <stddef.h>

#include <pinetl/s3sink.h>

/* An object name split into spans of the name: topic, partition digits, offset digits. */
typedef struct pinetl__s3sink_name {
    size_t topic_len;
    size_t part_at, part_len;
    size_t start_at, start_len;
} pinetl__s3sink_name;

/* 1 when name (of length len) is "<topic>+<digits>+<digits>.json" with a valid topic, else 0.
 * Sets no error: the lister tries every file. */
int pinetl__s3sink_name_split(pinetl__s3sink_name *out, const char *name, size_t len);

/* pinetl_s3sink_object_parse without an error message: 1 when name is an object name (outputs
 * set), else 0. For walkers that try every file. */
int pinetl__s3sink_name_parse(size_t *topic_len, int32_t *partition, uint64_t *start,
                              const char *name);

/* 1 when topic[0, len) is a valid topic name. */
int pinetl__s3sink_topic_valid(const char *topic, size_t len);

/* The table a valid topic[0, len) carries, or -1 when it names none. */
int pinetl__s3sink_topic_table(const char *topic, size_t len);

#endif
