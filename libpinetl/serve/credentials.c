/* The credentials file of pinetl serve (--credentials FILE): who may call, and which topics and
 * streams each may write and read. JSON, one array per kind of credential:
 *
 *   {"api_keys": [{"name": "emulator", "key": "k-...", "write": ["*"], "read": []}],
 *    "users":    [{"user": "alice", "password": "...", "write": ["p.pin"], "read": ["p.*"]}],
 *    "aws":      [{"access_key_id": "AKIA...", "secret_access_key": "...",
 *                  "write": ["streaming-p-pin"], "read": ["*"]}]}
 *
 * api_keys answer x-api-key (API Gateway paths), users HTTP Basic (Kafka REST Proxy paths), aws
 * SigV4 (API Gateway paths and the Kinesis API). A permission is a topic or stream name, "*" (all)
 * or a prefix ending in "*". Unknown members are errors (a misspelt "write" must not silently
 * grant nothing, or everything). The file must not be readable or writable by group or others.
 * API keys and Basic passwords are kept only as their SHA-256 (compared in constant time); the
 * SigV4 secrets are kept (the signature needs them). No error message quotes a secret. */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"
#include "core/json.h"
#include "auth_internal.h"

enum { MAX_FILE = 1 << 20, MAX_FIELD = 1024 };

static void set_free(cred_set *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        serve_credential *e = &c->items[i];
        pinetl__free(e->name);
        pinetl__free(e->access_key_id);
        if (e->secret) {
            memset(e->secret, 0, e->secret_len);
            pinetl__free(e->secret);
        }
        for (size_t k = 0; k < e->nwrite; k++)
            pinetl__free(e->write[k]);
        for (size_t k = 0; k < e->nread; k++)
            pinetl__free(e->read[k]);
        pinetl__free(e->write);
        pinetl__free(e->read);
    }
    pinetl__free(c->items);
    pinetl__free(c);
}

/* A JSON string member decoded into a fresh NUL-terminated copy (no NUL inside). */
static int string_member(char **out, size_t *len, const json_value *v, const char *path,
                         const char *where, const char *member) {
    if (v->type != JSON_STRING || v->len > MAX_FIELD)
        return pinetl__error_set(PINETL_EFORMAT,
                                 "credentials '%s': %s: \"%s\" must be a string "
                                 "of at most %d bytes",
                                 path, where, member, MAX_FIELD);
    char *s = pinetl__malloc(v->len + 1);
    if (!s)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    long k = pinetl__json_string_decode(v, s);
    if (k <= 0 || memchr(s, '\0', (size_t)k)) {
        pinetl__free(s);
        return pinetl__error_set(PINETL_EFORMAT,
                                 "credentials '%s': %s: \"%s\" is empty or not a "
                                 "valid string",
                                 path, where, member);
    }
    s[k] = '\0';
    *out = s;
    if (len)
        *len = (size_t)k;
    return PINETL_OK;
}

static int name_list(char ***out, size_t *n, const json_value *v, const char *path,
                     const char *where, const char *member) {
    if (v->type != JSON_ARRAY)
        return pinetl__error_set(PINETL_EFORMAT,
                                 "credentials '%s': %s: \"%s\" must be an array "
                                 "of names",
                                 path, where, member);
    json_iter it;
    json_value e;
    pinetl__json_iter_array(&it, v);
    while (pinetl__json_iter_element(&it, &e)) {
        char *s = NULL;
        int rc = string_member(&s, NULL, &e, path, where, member);
        if (rc)
            return rc;
        if (pinetl__alloc_grow(out, *n + 1, sizeof **out) != 0) {
            pinetl__free(s);
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        }
        (*out)[(*n)++] = s;
    }
    return PINETL_OK;
}

/* One entry of "api_keys", "users" or "aws". */
static int load_entry(serve_credential *e, int kind, const json_value *obj, const char *path,
                      size_t index) {
    static const char *const arrays[] = {"", "api_keys", "users", "aws"};
    char where[64];
    snprintf(where, sizeof where, "%s[%zu]", arrays[kind], index);
    if (obj->type != JSON_OBJECT)
        return pinetl__error_set(PINETL_EFORMAT, "credentials '%s': %s is not an object", path,
                                 where);
    e->kind = kind;
    char *secret = NULL, *user = NULL;
    size_t secret_len = 0;
    int rc = PINETL_OK;
    json_iter it;
    json_value key, v;
    pinetl__json_iter_object(&it, obj);
    while (!rc && pinetl__json_iter_member(&it, &key, &v)) {
        const char *m = NULL;
        char **dst = NULL;
        size_t *dlen = NULL;
#define IS(name) pinetl__json_string_equals(&key, name, sizeof name - 1)
        if (IS("write"))
            rc = name_list(&e->write, &e->nwrite, &v, path, where, "write");
        else if (IS("read"))
            rc = name_list(&e->read, &e->nread, &v, path, where, "read");
        else if (IS("name"))
            m = "name", dst = &e->name;
        else if (kind == CRED_API_KEY && IS("key"))
            m = "key", dst = &secret, dlen = &secret_len;
        else if (kind == CRED_BASIC && IS("user"))
            m = "user", dst = &user;
        else if (kind == CRED_BASIC && IS("password"))
            m = "password", dst = &secret, dlen = &secret_len;
        else if (kind == CRED_AWS && IS("access_key_id"))
            m = "access_key_id", dst = &e->access_key_id;
        else if (kind == CRED_AWS && IS("secret_access_key"))
            m = "secret_access_key", dst = &secret, dlen = &secret_len;
        else
            rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': %s: unknown member '%.*s'",
                                   path, where, (int)(key.len > 66 ? 64 : key.len - 2),
                                   key.start + 1);
#undef IS
        if (m && *dst)
            rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': %s: \"%s\" given twice", path,
                                   where, m);
        else if (m)
            rc = string_member(dst, dlen, &v, path, where, m);
    }
    static const char *const secret_name[] = {"", "key", "password", "secret_access_key"};
    if (!rc && !secret)
        rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': %s has no \"%s\"", path, where,
                               secret_name[kind]);
    if (!rc && kind == CRED_BASIC && !user)
        rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': %s has no \"user\"", path, where);
    if (!rc && kind == CRED_BASIC && strchr(user, ':'))
        rc = pinetl__error_set(PINETL_EFORMAT,
                               "credentials '%s': %s: a Basic user name cannot "
                               "hold ':'",
                               path, where);
    if (!rc && kind == CRED_AWS && !e->access_key_id)
        rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': %s has no \"access_key_id\"",
                               path, where);
    if (!rc && kind == CRED_API_KEY) {
        gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, secret_len, e->digest);
    } else if (!rc && kind == CRED_BASIC) {
        /* What Basic sends, base64-decoded: "user:password". */
        size_t ul = strlen(user);
        char *pair = pinetl__malloc(ul + 1 + secret_len);
        if (!pair) {
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
        } else {
            memcpy(pair, user, ul);
            pair[ul] = ':';
            memcpy(pair + ul + 1, secret, secret_len);
            gnutls_hash_fast(GNUTLS_DIG_SHA256, pair, ul + 1 + secret_len, e->digest);
            memset(pair, 0, ul + 1 + secret_len);
            pinetl__free(pair);
        }
    } else if (!rc && kind == CRED_AWS) {
        e->secret = secret;
        e->secret_len = secret_len;
        secret = NULL;
    }
    /* The name a refusal may quote: never the secret. */
    if (!rc && !e->name) {
        const char *nm = kind == CRED_BASIC ? user : kind == CRED_AWS ? e->access_key_id : NULL;
        char buf[64];
        if (!nm) {
            snprintf(buf, sizeof buf, "api-key-%zu", index);
            nm = buf;
        }
        if (!(e->name = pinetl__strdup(nm)))
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    if (secret) {
        memset(secret, 0, secret_len);
        pinetl__free(secret);
    }
    pinetl__free(user);
    return rc;
}

static int load_array(cred_set *c, int kind, const json_value *v, const char *path) {
    static const char *const arrays[] = {"", "api_keys", "users", "aws"};
    if (v->type != JSON_ARRAY)
        return pinetl__error_set(PINETL_EFORMAT, "credentials '%s': \"%s\" must be an array", path,
                                 arrays[kind]);
    json_iter it;
    json_value e;
    size_t index = 0;
    pinetl__json_iter_array(&it, v);
    while (pinetl__json_iter_element(&it, &e)) {
        if (pinetl__alloc_grow(&c->items, c->n + 1, sizeof *c->items) != 0)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory");
        serve_credential *item = &c->items[c->n++];
        memset(item, 0, sizeof *item);
        int rc = load_entry(item, kind, &e, path, index++);
        if (rc)
            return rc;
    }
    return PINETL_OK;
}

/* Reads at most MAX_FILE bytes of an open file; refuses one group or others may read or write. */
static int read_private(char **text, size_t *len, const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                 "cannot open credentials '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return pinetl__error_set(PINETL_EIO, "credentials '%s' is not a regular file", path);
    }
    if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
        close(fd);
        return pinetl__error_set(PINETL_EINVAL,
                                 "credentials '%s' may be read or written by group or others "
                                 "(mode %04o): make it private (chmod 600)",
                                 path, (unsigned)(st.st_mode & 07777));
    }
    char *buf = pinetl__malloc(MAX_FILE);
    if (!buf) {
        close(fd);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    size_t n = 0;
    for (;;) {
        ssize_t k = read(fd, buf + n, MAX_FILE - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 || (k > 0 && n + (size_t)k == MAX_FILE)) {
            close(fd);
            pinetl__free(buf);
            return pinetl__error_set(PINETL_EIO,
                                     "cannot read credentials '%s' (or larger than "
                                     "1 MiB)",
                                     path);
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    *text = buf;
    *len = n;
    return PINETL_OK;
}

static int load_set(cred_set **out, const char *path) {
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = read_private(&text, &len, path);
    if (rc)
        return rc;
    cred_set *c = pinetl__calloc(1, sizeof *c);
    if (!c) {
        memset(text, 0, len);
        pinetl__free(text);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    json_value root, key, v;
    json_error err;
    if (pinetl__json_parse(text, text + len, &root, &err) != 0)
        rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': byte %zu: %s", path, err.offset,
                               err.what);
    else if (root.type != JSON_OBJECT)
        rc = pinetl__error_set(PINETL_EFORMAT, "credentials '%s': not a JSON object", path);
    json_iter it;
    if (!rc)
        pinetl__json_iter_object(&it, &root);
    while (!rc && pinetl__json_iter_member(&it, &key, &v)) {
        int kind = pinetl__json_string_equals(&key, "api_keys", 8) ? CRED_API_KEY
                   : pinetl__json_string_equals(&key, "users", 5)  ? CRED_BASIC
                   : pinetl__json_string_equals(&key, "aws", 3)    ? CRED_AWS
                                                                   : 0;
        if (!kind)
            rc = pinetl__error_set(PINETL_EFORMAT,
                                   "credentials '%s': unknown member '%.*s' "
                                   "(api_keys, users, aws)",
                                   path, (int)(key.len > 66 ? 64 : key.len - 2), key.start + 1);
        else
            rc = load_array(c, kind, &v, path);
    }
    if (!rc && c->n == 0)
        rc = pinetl__error_set(PINETL_EINVAL, "credentials '%s' holds no credential", path);
    for (size_t i = 0; !rc && i < c->n; i++)
        for (size_t k = 0; !rc && k < i; k++)
            if (c->items[i].kind == CRED_AWS && c->items[k].kind == CRED_AWS &&
                !strcmp(c->items[i].access_key_id, c->items[k].access_key_id))
                rc = pinetl__error_set(PINETL_EINVAL,
                                       "credentials '%s': access key id %s is "
                                       "given twice",
                                       path, c->items[i].access_key_id);
    memset(text, 0, len);
    pinetl__free(text);
    if (rc) {
        set_free(c);
        return rc;
    }
    *out = c;
    return PINETL_OK;
}

int pinetl__serve_credentials_load(serve_credentials **out, const char *path) {
    *out = NULL;
    serve_credentials *c = pinetl__calloc(1, sizeof *c);
    if (!c)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    pthread_mutex_init(&c->reload_lock, NULL);
    cred_set *set = NULL;
    int rc = (c->path = pinetl__strdup(path)) ? load_set(&set, path)
                                              : pinetl__error_set(PINETL_ENOMEM, "out of memory");
    if (rc) {
        pinetl__serve_credentials_free(c);
        return rc;
    }
    atomic_store(&c->current, set);
    *out = c;
    return PINETL_OK;
}

int pinetl__serve_credentials_reload(serve_credentials *c) {
    pthread_mutex_lock(&c->reload_lock);
    cred_set *set = NULL;
    int rc = load_set(&set, c->path);
    if (!rc) {
        set->older = atomic_load(&c->current);
        atomic_store(&c->current, set);
    }
    pthread_mutex_unlock(&c->reload_lock);
    return rc;
}

void pinetl__serve_credentials_free(serve_credentials *c) {
    if (!c)
        return;
    for (cred_set *s = atomic_load(&c->current), *next; s; s = next) {
        next = s->older;
        set_free(s);
    }
    pthread_mutex_destroy(&c->reload_lock);
    pinetl__free(c->path);
    pinetl__free(c);
}
