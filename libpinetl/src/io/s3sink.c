/* Walking an S3 sink directory: every file is matched against the object key pattern (PCRE2,
 * compiled and JIT-compiled once), then the table's objects are sorted by topic, partition and
 * offset, numerically, since Kafka offsets only order records within a partition. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "s3sink.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/batch_internal.h"

/* <prefix>.<table>/partition=<n>/<prefix>.<table>+<n>+<offset>.json at the end of the path: the
 * directory the user names may be the bucket copy, its topics/ folder or one topic. */
static const char key_pattern[] =
    "(?:^|/)([A-Za-z0-9._-]+)\\.([A-Za-z0-9_-]+)/partition=([0-9]+)/"
    "\\1\\.\\2\\+\\3\\+([0-9]+)\\.json$";

enum { MAX_DEPTH = 32 };

struct io_s3 {
    pcre2_code *re;
    pcre2_match_data *md;
};

int io_strlist_push(io_strlist *l, const char *s) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return pinetl_set_error(PINETL_ENOMEM, "out of memory listing inputs");
        l->items = p;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(s)))
        return pinetl_set_error(PINETL_ENOMEM, "out of memory listing inputs");
    l->n++;
    return PINETL_OK;
}

void io_strlist_free(io_strlist *l) {
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

int io_text_appendf(io_text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return pinetl_set_error(PINETL_ERROR, "bad notice format");
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            return pinetl_set_error(PINETL_ENOMEM, "out of memory adding a notice");
        t->p = p;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
    return PINETL_OK;
}

void io_text_free(io_text *t) {
    free(t->p);
    memset(t, 0, sizeof *t);
}

int io_s3_new(io_s3 **out) {
    int errcode;
    PCRE2_SIZE erroff;
    io_s3 *s3 = calloc(1, sizeof *s3);
    if (!s3)
        return pinetl_set_error(PINETL_ENOMEM, "out of memory");
    s3->re = pcre2_compile((PCRE2_SPTR)key_pattern, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff,
                           NULL);
    if (!s3->re) {
        free(s3);
        return pinetl_set_error(PINETL_ERROR, "S3 key pattern does not compile (code %d)", errcode);
    }
    pcre2_jit_compile(s3->re, PCRE2_JIT_COMPLETE);   /* the interpreter serves if JIT is absent */
    s3->md = pcre2_match_data_create_from_pattern(s3->re, NULL);
    if (!s3->md) {
        pcre2_code_free(s3->re);
        free(s3);
        return pinetl_set_error(PINETL_ENOMEM, "out of memory");
    }
    *out = s3;
    return PINETL_OK;
}

void io_s3_free(io_s3 *s3) {
    if (!s3)
        return;
    pcre2_match_data_free(s3->md);
    pcre2_code_free(s3->re);
    free(s3);
}

typedef struct object {
    char *path;             /* as the user named it, plus the relative path */
    char *topic;            /* "<prefix>.<table>" */
    char *partition, *offset;   /* digit strings */
} object;

typedef struct walk {
    io_s3 *s3;
    const char *table;
    object *objs;
    size_t n, cap;
    io_text *notices;
    size_t skipped_other;
} walk;

static char *dup_range(const char *s, size_t start, size_t end) {
    return strndup(s + start, end - start);
}

/* Compares digit strings as numbers of any length. */
static int cmp_digits(const char *a, const char *b) {
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int cmp_objects(const void *x, const void *y) {
    const object *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    if (!c)
        c = cmp_digits(a->partition, b->partition);
    if (!c)
        c = cmp_digits(a->offset, b->offset);
    return c ? c : strcmp(a->path, b->path);
}

static int consider_file(walk *w, const char *path, const char *match_path) {
    int rc = pcre2_match(w->s3->re, (PCRE2_SPTR)match_path, PCRE2_ZERO_TERMINATED, 0, 0, w->s3->md,
                         NULL);
    if (rc < 0)
        return io_text_appendf(w->notices, "skipped '%s': not an S3 sink object "
                               "(<prefix>.<table>/partition=<n>/<prefix>.<table>+<n>+<offset>.json)\n",
                               path);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(w->s3->md);
    size_t tlen = ov[5] - ov[4];
    if (tlen != strlen(w->table) || memcmp(match_path + ov[4], w->table, tlen) != 0) {
        w->skipped_other++;   /* another table's object: another run's input */
        return PINETL_OK;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        object *p = realloc(w->objs, cap * sizeof *p);
        if (!p)
            return pinetl_set_error(PINETL_ENOMEM, "out of memory listing S3 objects");
        w->objs = p;
        w->cap = cap;
    }
    object *o = &w->objs[w->n];
    o->path = strdup(path);
    o->topic = dup_range(match_path, ov[2], ov[5]);
    o->partition = dup_range(match_path, ov[6], ov[7]);
    o->offset = dup_range(match_path, ov[8], ov[9]);
    if (!o->path || !o->topic || !o->partition || !o->offset) {
        free(o->path);
        free(o->topic);
        free(o->partition);
        free(o->offset);
        return pinetl_set_error(PINETL_ENOMEM, "out of memory listing S3 objects");
    }
    w->n++;
    return PINETL_OK;
}

/* path: as the user named it; real: the same directory, resolved (for matching). */
static int walk_dir(walk *w, const char *path, const char *real, int depth) {
    if (depth > MAX_DEPTH)
        return io_text_appendf(w->notices, "skipped '%s': nested too deeply\n", path);
    DIR *d = opendir(path);
    if (!d)
        return pinetl_set_error(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                "cannot read directory '%s': %s", path, strerror(errno));
    int rc = PINETL_OK;
    struct dirent *e;
    /* Collect names first: the recursion must not hold many directory streams open. */
    io_strlist names = {0};
    while (rc == PINETL_OK && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rc = io_strlist_push(&names, e->d_name);
    closedir(d);
    for (size_t i = 0; rc == PINETL_OK && i < names.n; i++) {
        char *child = NULL, *child_real = NULL;
        if (asprintf(&child, "%s/%s", path, names.items[i]) < 0 ||
            asprintf(&child_real, "%s/%s", real, names.items[i]) < 0) {
            free(child);
            rc = pinetl_set_error(PINETL_ENOMEM, "out of memory listing S3 objects");
            break;
        }
        struct stat st;
        if (stat(child, &st) != 0)
            rc = io_text_appendf(w->notices, "skipped '%s': %s\n", child, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            rc = walk_dir(w, child, child_real, depth + 1);
        else if (S_ISREG(st.st_mode))
            rc = consider_file(w, child, child_real);
        else
            rc = io_text_appendf(w->notices, "skipped '%s': not a regular file\n", child);
        free(child);
        free(child_real);
    }
    io_strlist_free(&names);
    return rc;
}

int io_s3_list(io_s3 *s3, const char *dir, const char *table, io_strlist *out, io_text *notices) {
    walk w = {s3, table, NULL, 0, 0, notices, 0};
    char *real = realpath(dir, NULL);
    if (!real)
        return pinetl_set_error(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                "cannot open '%s': %s", dir, strerror(errno));
    size_t rl = strlen(real);
    if (rl > 1 && real[rl - 1] == '/')
        real[rl - 1] = '\0';
    int rc = walk_dir(&w, dir, real, 0);
    free(real);
    if (rc == PINETL_OK) {
        if (w.n)
            qsort(w.objs, w.n, sizeof *w.objs, cmp_objects);
        else
            rc = io_text_appendf(notices, "no S3 sink objects of table '%s' under '%s'\n", table,
                                 dir);
    }
    for (size_t i = 0; i < w.n; i++) {
        if (rc == PINETL_OK)
            rc = io_strlist_push(out, w.objs[i].path);
        free(w.objs[i].path);
        free(w.objs[i].topic);
        free(w.objs[i].partition);
        free(w.objs[i].offset);
    }
    free(w.objs);
    return rc;
}
