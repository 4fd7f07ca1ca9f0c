/* The Kafka Connect S3 sink layout's names (s3sink.h): the one place they are made and parsed.
 * (The landing writer, the lister and, through the binding, the Python sink and daily chain all
 * call these, so a bare topic "pin" and a prefixed "0a1b.pin" are read and written alike.) */
#include "layout.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/error.h"

enum { TOPIC_MAX = 249 };

static const char json_ext[] = ".json";

static int topic_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

int pinetl__s3sink_topic_valid(const char *topic, size_t len) {
    if (len == 0 || len > TOPIC_MAX || (len == 1 && topic[0] == '.') ||
        (len == 2 && topic[0] == '.' && topic[1] == '.'))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!topic_char(topic[i]))
            return 0;
    return 1;
}

int pinetl__s3sink_topic_table(const char *topic, size_t len) {
    size_t at = len;
    while (at > 0 && topic[at - 1] != '.')
        at--;
    if (at == 1) /* ".pin": a dot with no prefix before it */
        return -1;
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        const char *name = pinetl_table_name((pinetl_table)t);
        if (strlen(name) == len - at && memcmp(name, topic + at, len - at) == 0)
            return t;
    }
    return -1;
}

static size_t digits(const char *s, size_t len) {
    size_t n = 0;
    while (n < len && s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

int pinetl__s3sink_name_split(pinetl__s3sink_name *out, const char *name, size_t len) {
    size_t ext = sizeof json_ext - 1;
    if (len <= ext || memcmp(name + len - ext, json_ext, ext) != 0)
        return 0;
    const char *plus = memchr(name, '+', len - ext);
    if (!plus || !pinetl__s3sink_topic_valid(name, (size_t)(plus - name)))
        return 0;
    pinetl__s3sink_name n = {(size_t)(plus - name), 0, 0, 0, 0};
    n.part_at = n.topic_len + 1;
    n.part_len = digits(name + n.part_at, len - ext - n.part_at);
    if (n.part_len == 0 || n.part_at + n.part_len >= len - ext ||
        name[n.part_at + n.part_len] != '+')
        return 0;
    n.start_at = n.part_at + n.part_len + 1;
    n.start_len = digits(name + n.start_at, len - ext - n.start_at);
    if (n.start_len == 0 || n.start_at + n.start_len != len - ext)
        return 0;
    *out = n;
    return 1;
}

int pinetl_s3sink_topic_check(const char *topic) {
    if (!topic)
        return pinetl__error_set(PINETL_EINVAL, "topic name is NULL");
    if (!pinetl__s3sink_topic_valid(topic, strlen(topic)))
        return pinetl__error_set(PINETL_EINVAL,
                                 "invalid topic name '%.300s': [A-Za-z0-9._-], 1-249 characters, "
                                 "not . or ..",
                                 topic);
    return PINETL_OK;
}

int pinetl_s3sink_topic_table(pinetl_table *out, const char *topic) {
    int rc = pinetl_s3sink_topic_check(topic);
    if (rc)
        return rc;
    int t = pinetl__s3sink_topic_table(topic, strlen(topic));
    if (t < 0)
        return pinetl__error_set(PINETL_ENOTFOUND,
                                 "topic '%s' names no table (<table> or <prefix>.<table>, the "
                                 "table one of %s, %s, %s)",
                                 topic, pinetl_table_name(PINETL_TABLE_PIN),
                                 pinetl_table_name(PINETL_TABLE_GEO),
                                 pinetl_table_name(PINETL_TABLE_USER));
    *out = (pinetl_table)t;
    return PINETL_OK;
}

static int check_args(char **out, const char *topic, int32_t partition) {
    if (!out)
        return pinetl__error_set(PINETL_EINVAL, "S3 sink name: NULL out-parameter");
    int rc = pinetl_s3sink_topic_check(topic);
    if (!rc && partition < 0)
        rc = pinetl__error_set(PINETL_EINVAL, "S3 sink name: partition %" PRId32 " is negative",
                               partition);
    return rc;
}

/* *out = the text in b (with the library's allocator, so pinetl_free and the allocation-failure
 * sweeps apply), or the memory failure. */
static int detach(char **out, pinetl__buf *b) {
    char *p = b->failed ? NULL : pinetl__buf_detach(b, NULL);
    pinetl__buf_free(b);
    if (!p)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory naming an S3 sink object");
    *out = p;
    return PINETL_OK;
}

int pinetl_s3sink_partition_dir(char **out, const char *topic, int32_t partition) {
    int rc = check_args(out, topic, partition);
    if (rc)
        return rc;
    pinetl__buf b = {0};
    pinetl__buf_printf(&b, "topics/%s/partition=%" PRId32, topic, partition);
    return detach(out, &b);
}

int pinetl_s3sink_object_name(char **out, const char *topic, int32_t partition, uint64_t start) {
    int rc = check_args(out, topic, partition);
    if (rc)
        return rc;
    pinetl__buf b = {0};
    pinetl__buf_printf(&b, "%s+%" PRId32 "+%010" PRIu64 "%s", topic, partition, start, json_ext);
    return detach(out, &b);
}

/* The value of a digit string, or -1 when it exceeds max. */
static int parse_digits(uint64_t *out, const char *s, size_t len, uint64_t max) {
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int pinetl__s3sink_name_parse(size_t *topic_len, int32_t *partition, uint64_t *start,
                              const char *name) {
    pinetl__s3sink_name n;
    uint64_t p, s;
    if (!pinetl__s3sink_name_split(&n, name, strlen(name)) ||
        parse_digits(&p, name + n.part_at, n.part_len, INT32_MAX) ||
        parse_digits(&s, name + n.start_at, n.start_len, UINT64_MAX))
        return 0;
    *topic_len = n.topic_len;
    *partition = (int32_t)p;
    *start = s;
    return 1;
}

int pinetl_s3sink_object_parse(size_t *topic_len, int32_t *partition, uint64_t *start,
                               const char *name) {
    if (!topic_len || !partition || !start || !name)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_s3sink_object_parse: NULL argument");
    if (!pinetl__s3sink_name_parse(topic_len, partition, start, name))
        return pinetl__error_set(PINETL_EINVAL,
                                 "'%.300s' is not an S3 sink object name "
                                 "(<topic>+<partition>+<start offset>.json)",
                                 name);
    return PINETL_OK;
}

int pinetl_s3sink_table_glob(char **out, pinetl_table table, int prefixed) {
    const char *name = pinetl_table_name(table);
    if (!out || !name)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_s3sink_table_glob: %s",
                                 out ? "unknown table" : "NULL out-parameter");
    const char *any = prefixed ? "*." : "";
    pinetl__buf b = {0};
    pinetl__buf_printf(&b, "topics/%s%s/partition=*/%s%s+*+*%s", any, name, any, name, json_ext);
    return detach(out, &b);
}
