/* The topics and streams the server accepts: the defaults for a prefix, or a JSON file
 *
 *   {"topics": ["p.pin", {"name": "p.geo", "partitions": 2}], "streams": ["streaming-p-pin"]}
 *
 * Every name matches [A-Za-z0-9._-]{1,249} and is neither "." nor "..": names become folder
 * names under the landing folder, so no request can reach outside it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "core/json.h"
#include "s3sink/layout.h"
#include "serve_internal.h"

enum { MAX_NAME = 249, MAX_PARTITIONS = 1024, MAX_CONFIG = 1 << 20 };

/* The S3 sink layout's topic-name rule (s3sink.h), for streams too: both become folder names. */
int pinetl__serve_name_ok(const char *s, size_t n) { return pinetl__s3sink_topic_valid(s, n); }

static int add_topic(serve_catalog *c, const char *name, size_t n, int partitions) {
    if (!pinetl__serve_name_ok(name, n))
        return pinetl__error_set(PINETL_EINVAL,
                                 "topic name '%.*s' is not 1-249 characters of "
                                 "[A-Za-z0-9._-]",
                                 (int)(n > 300 ? 300 : n), name);
    if (partitions < 1 || partitions > MAX_PARTITIONS)
        return pinetl__error_set(PINETL_EINVAL, "topic '%.*s': partitions must be 1..%d", (int)n,
                                 name, MAX_PARTITIONS);
    for (size_t i = 0; i < c->ntopics; i++)
        if (strlen(c->topics[i].name) == n && !memcmp(c->topics[i].name, name, n))
            return pinetl__error_set(PINETL_EINVAL, "topic '%.*s' is named twice", (int)n, name);
    serve_topic *t = pinetl__realloc(c->topics, (c->ntopics + 1) * sizeof *t);
    if (!t)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    c->topics = t;
    t = &c->topics[c->ntopics];
    memset(t, 0, sizeof *t);
    if (!(t->name = pinetl__strndup(name, n)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    t->partitions = partitions;
    c->ntopics++;
    return PINETL_OK;
}

static int add_stream(serve_catalog *c, const char *name, size_t n) {
    if (!pinetl__serve_name_ok(name, n))
        return pinetl__error_set(PINETL_EINVAL,
                                 "stream name '%.*s' is not 1-249 characters of "
                                 "[A-Za-z0-9._-]",
                                 (int)(n > 300 ? 300 : n), name);
    for (size_t i = 0; i < c->nstreams; i++)
        if (strlen(c->streams[i].name) == n && !memcmp(c->streams[i].name, name, n))
            return pinetl__error_set(PINETL_EINVAL, "stream '%.*s' is named twice", (int)n, name);
    serve_stream *s = pinetl__realloc(c->streams, (c->nstreams + 1) * sizeof *s);
    if (!s)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    c->streams = s;
    s = &c->streams[c->nstreams];
    memset(s, 0, sizeof *s);
    if (!(s->name = pinetl__strndup(name, n)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    c->nstreams++;
    return PINETL_OK;
}

/* A name given as a JSON string (decoded; escapes allowed but the result must be a valid name). */
static int string_of(const json_value *v, char *dst, size_t cap, size_t *n) {
    if (v->type != JSON_STRING || v->len > cap)
        return -1;
    long k = pinetl__json_string_decode(v, dst);
    if (k < 0)
        return -1;
    *n = (size_t)k;
    return 0;
}

static int load_list(serve_catalog *c, const char *path, const json_value *list, int topics) {
    const char *what = topics ? "topics" : "streams";
    if (list->type != JSON_ARRAY)
        return pinetl__error_set(PINETL_EINVAL, "%s: '%s' must be an array", path, what);
    json_iter it;
    json_value e;
    pinetl__json_iter_array(&it, list);
    while (pinetl__json_iter_element(&it, &e)) {
        char name[MAX_NAME + 64];
        size_t n;
        int partitions = 1;
        json_value v = e;
        if (e.type == JSON_OBJECT) {
            json_value p;
            if (!pinetl__json_object_get(&e, "name", &v))
                return pinetl__error_set(PINETL_EINVAL, "%s: an entry of '%s' has no \"name\"",
                                         path, what);
            if (topics && pinetl__json_object_get(&e, "partitions", &p)) {
                char num[16];
                if (p.type != JSON_NUMBER || p.len >= sizeof num)
                    return pinetl__error_set(PINETL_EINVAL, "%s: \"partitions\" must be a number",
                                             path);
                memcpy(num, p.start, p.len);
                num[p.len] = '\0';
                char *end;
                long k = strtol(num, &end, 10);
                if (*end || k < 1 || k > MAX_PARTITIONS)
                    return pinetl__error_set(PINETL_EINVAL, "%s: \"partitions\" must be 1..%d",
                                             path, MAX_PARTITIONS);
                partitions = (int)k;
            }
        }
        if (string_of(&v, name, sizeof name, &n) != 0)
            return pinetl__error_set(PINETL_EINVAL,
                                     "%s: a name in '%s' is not a string of at "
                                     "most %d characters",
                                     path, what, MAX_NAME);
        int rc = topics ? add_topic(c, name, n, partitions) : add_stream(c, name, n);
        if (rc)
            return pinetl__error_set(rc, "%s: %s", path, pinetl_error_last());
    }
    return PINETL_OK;
}

static int load_file(serve_catalog *c, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                 "cannot open config '%s': %s", path, strerror(errno));
    char *text = pinetl__malloc(MAX_CONFIG);
    if (!text) {
        fclose(f);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    size_t len = fread(text, 1, MAX_CONFIG, f);
    int bad = ferror(f) || len == MAX_CONFIG;
    fclose(f);
    if (bad) {
        pinetl__free(text);
        return pinetl__error_set(PINETL_EIO, "cannot read config '%s' (or larger than 1 MiB)",
                                 path);
    }
    json_value root, v;
    json_error err;
    int rc = PINETL_OK;
    if (pinetl__json_parse(text, text + len, &root, &err) != 0)
        rc = pinetl__error_set(PINETL_EFORMAT, "config '%s': byte %zu: %s", path, err.offset,
                               err.what);
    else if (root.type != JSON_OBJECT)
        rc = pinetl__error_set(PINETL_EFORMAT, "config '%s': not a JSON object", path);
    if (!rc && pinetl__json_object_get(&root, "topics", &v))
        rc = load_list(c, path, &v, 1);
    if (!rc && pinetl__json_object_get(&root, "streams", &v))
        rc = load_list(c, path, &v, 0);
    if (!rc && c->ntopics + c->nstreams == 0)
        rc = pinetl__error_set(PINETL_EINVAL, "config '%s' names no topics and no streams", path);
    pinetl__free(text);
    return rc;
}

int pinetl__serve_catalog_load(serve_catalog *c, const char *config, const char *prefix) {
    memset(c, 0, sizeof *c);
    int rc = PINETL_OK;
    if (config) {
        rc = load_file(c, config);
    } else {
        static const char *const tables[] = {"pin", "geo", "user"};
        for (int i = 0; i < 3 && !rc; i++) {
            char name[MAX_NAME + 64];
            int n = snprintf(name, sizeof name, "%s.%s", prefix, tables[i]);
            rc = add_topic(c, name, (size_t)n, 1);
            n = snprintf(name, sizeof name, "streaming-%s-%s", prefix, tables[i]);
            if (!rc)
                rc = add_stream(c, name, (size_t)n);
        }
    }
    if (rc)
        pinetl__serve_catalog_free(c);
    return rc;
}

serve_topic *pinetl__serve_topic_find(serve_catalog *c, const char *name) {
    for (size_t i = 0; i < c->ntopics; i++)
        if (!strcmp(c->topics[i].name, name))
            return &c->topics[i];
    return NULL;
}

serve_stream *pinetl__serve_stream_find(serve_catalog *c, const char *name) {
    for (size_t i = 0; i < c->nstreams; i++)
        if (!strcmp(c->streams[i].name, name))
            return &c->streams[i];
    return NULL;
}

void pinetl__serve_catalog_free(serve_catalog *c) {
    for (size_t i = 0; i < c->ntopics; i++) {
        serve_topic *t = &c->topics[i];
        if (t->parts)
            for (int p = 0; p < t->partitions; p++)
                pinetl__landing_close(t->parts[p]);
        pinetl__free(t->parts);
        pinetl__free(t->name);
    }
    for (size_t i = 0; i < c->nstreams; i++) {
        pinetl_streamlog_free(c->streams[i].log);
        pinetl__free(c->streams[i].name);
        pinetl__free(c->streams[i].path);
    }
    pinetl__free(c->topics);
    pinetl__free(c->streams);
    memset(c, 0, sizeof *c);
}
