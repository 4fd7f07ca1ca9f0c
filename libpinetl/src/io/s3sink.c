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
#include "util/error.h"
#include "util/alloc.h"

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

int pinetl__io_strlist_push(io_strlist *l, const char *s) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = pinetl__realloc(l->items, cap * sizeof *p);
        if (!p)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory listing inputs");
        l->items = p;
        l->cap = cap;
    }
    if (!(l->items[l->n] = pinetl__strdup(s)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory listing inputs");
    l->n++;
    return PINETL_OK;
}

void pinetl__io_strlist_free(io_strlist *l) {
    for (size_t i = 0; i < l->n; i++)
        pinetl__free(l->items[i]);
    pinetl__free(l->items);
    memset(l, 0, sizeof *l);
}

int pinetl__io_notice(pinetl__buf *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = pinetl__buf_vprintf(t, fmt, ap);
    va_end(ap);
    return rc ? pinetl__error_set(PINETL_ENOMEM, "out of memory adding a notice") : PINETL_OK;
}

int pinetl__io_s3_new(io_s3 **out) {
    int errcode;
    PCRE2_SIZE erroff;
    io_s3 *s3 = pinetl__calloc(1, sizeof *s3);
    if (!s3)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    s3->re = pcre2_compile((PCRE2_SPTR)key_pattern, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff,
                           NULL);
    if (!s3->re) {
        pinetl__free(s3);
        return pinetl__error_set(PINETL_ERROR, "S3 key pattern does not compile (code %d)", errcode);
    }
    pcre2_jit_compile(s3->re, PCRE2_JIT_COMPLETE);   /* the interpreter serves if JIT is absent */
    s3->md = pcre2_match_data_create_from_pattern(s3->re, NULL);
    if (!s3->md) {
        pcre2_code_free(s3->re);
        pinetl__free(s3);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    }
    *out = s3;
    return PINETL_OK;
}

void pinetl__io_s3_free(io_s3 *s3) {
    if (!s3)
        return;
    pcre2_match_data_free(s3->md);
    pcre2_code_free(s3->re);
    pinetl__free(s3);
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
    pinetl__buf *notices;
    size_t skipped_other;
} walk;

static char *dup_range(const char *s, size_t start, size_t end) {
    return pinetl__strndup(s + start, end - start);
}

/* dir + "/" + name, or NULL on memory failure. */
static char *join_path(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = pinetl__malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
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
        return pinetl__io_notice(w->notices, "skipped '%s': not an S3 sink object "
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
        object *p = pinetl__realloc(w->objs, cap * sizeof *p);
        if (!p)
            return pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
        w->objs = p;
        w->cap = cap;
    }
    object *o = &w->objs[w->n];
    o->path = pinetl__strdup(path);
    o->topic = dup_range(match_path, ov[2], ov[5]);
    o->partition = dup_range(match_path, ov[6], ov[7]);
    o->offset = dup_range(match_path, ov[8], ov[9]);
    if (!o->path || !o->topic || !o->partition || !o->offset) {
        pinetl__free(o->path);
        pinetl__free(o->topic);
        pinetl__free(o->partition);
        pinetl__free(o->offset);
        return pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
    }
    w->n++;
    return PINETL_OK;
}

/* path: as the user named it; real: the same directory, resolved (for matching). */
static int walk_dir(walk *w, const char *path, const char *real, int depth) {
    if (depth > MAX_DEPTH)
        return pinetl__io_notice(w->notices, "skipped '%s': nested too deeply\n", path);
    DIR *d = opendir(path);
    if (!d)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                "cannot read directory '%s': %s", path, strerror(errno));
    int rc = PINETL_OK;
    struct dirent *e;
    /* Collect names first: the recursion must not hold many directory streams open. */
    io_strlist names = {0};
    while (rc == PINETL_OK && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rc = pinetl__io_strlist_push(&names, e->d_name);
    closedir(d);
    for (size_t i = 0; rc == PINETL_OK && i < names.n; i++) {
        char *child = NULL, *child_real = NULL;
        if (!(child = join_path(path, names.items[i])) ||
            !(child_real = join_path(real, names.items[i]))) {
            pinetl__free(child);
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
            break;
        }
        struct stat st;
        if (stat(child, &st) != 0)
            rc = pinetl__io_notice(w->notices, "skipped '%s': %s\n", child, strerror(errno));
        else if (S_ISDIR(st.st_mode))
            rc = walk_dir(w, child, child_real, depth + 1);
        else if (S_ISREG(st.st_mode))
            rc = consider_file(w, child, child_real);
        else
            rc = pinetl__io_notice(w->notices, "skipped '%s': not a regular file\n", child);
        pinetl__free(child);
        pinetl__free(child_real);
    }
    pinetl__io_strlist_free(&names);
    return rc;
}

int pinetl__io_s3_list(io_s3 *s3, const char *dir, const char *table, io_strlist *out, pinetl__buf *notices) {
    walk w = {s3, table, NULL, 0, 0, notices, 0};
    char *real = realpath(dir, NULL);
    if (!real)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                "cannot open '%s': %s", dir, strerror(errno));
    size_t rl = strlen(real);
    if (rl > 1 && real[rl - 1] == '/')
        real[rl - 1] = '\0';
    int rc = walk_dir(&w, dir, real, 0);
    free(real);   /* realpath's own malloc */
    if (rc == PINETL_OK) {
        if (w.n)
            qsort(w.objs, w.n, sizeof *w.objs, cmp_objects);
        else
            rc = pinetl__io_notice(notices, "no S3 sink objects of table '%s' under '%s'\n", table,
                                 dir);
    }
    for (size_t i = 0; i < w.n; i++) {
        if (rc == PINETL_OK)
            rc = pinetl__io_strlist_push(out, w.objs[i].path);
        pinetl__free(w.objs[i].path);
        pinetl__free(w.objs[i].topic);
        pinetl__free(w.objs[i].partition);
        pinetl__free(w.objs[i].offset);
    }
    pinetl__free(w.objs);
    return rc;
}
