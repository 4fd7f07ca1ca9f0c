/* Walking an S3 sink directory: a folder is read only as what its name says it is (the landing
 * folder holding topics/, topics/, a topic, a partition) and only the layout's folders below it
 * are entered, so a folder of plain files or of unrelated data is an error, not an empty or
 * foreign read. Every file's name and its two folders are parsed by the layout (layout.c), then
 * the table's objects are sorted by topic, partition and offset, numerically, since Kafka
 * offsets only order records within a partition. */
#include "list.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/error.h"
#include "layout.h"

static int strlist_push(pinetl__strlist *l, const char *s) {
    return pinetl__strlist_push(l, s)
               ? pinetl__error_set(PINETL_ENOMEM, "out of memory listing inputs")
               : PINETL_OK;
}

static int notice(pinetl__buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int notice(pinetl__buf *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = pinetl__buf_vprintf(t, fmt, ap);
    va_end(ap);
    return rc ? pinetl__error_set(PINETL_ENOMEM, "out of memory adding a notice") : PINETL_OK;
}

typedef struct object {
    char *path;               /* as the user named it, plus the relative path */
    char *topic;              /* "<table>" or "<prefix>.<table>" */
    char *partition, *offset; /* digit strings */
} object;

typedef struct walk {
    pinetl_table table;
    object *objs;
    size_t n, cap;
    pinetl__buf *notices;
    size_t skipped_other; /* other tables' objects and topics, skipped silently */
    size_t skipped;       /* entries skipped with a notice */
    char other[64];       /* the first other table's topic or object skipped, for the error */
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

/* The start and length of the last component of path[0, end) (end at a '/' or the string's
 * end). */
static size_t component(const char *path, size_t end, size_t *len) {
    size_t at = end;
    while (at > 0 && path[at - 1] != '/')
        at--;
    *len = end - at;
    return at;
}

/* Counts an object or topic of another table (or of no table), skipped silently. */
static void skip_other(walk *w, const char *name) {
    if (!w->skipped_other++)
        snprintf(w->other, sizeof w->other, "%.63s", name);
}

/* match_path: the file's resolved path, whose last three components are matched:
 * <topic>/partition=<p>/<topic>+<p>+<offset>.json. */
static int consider_file(walk *w, const char *path, const char *match_path) {
    static const char part_key[] = "partition=";
    const size_t klen = sizeof part_key - 1;
    size_t nlen = 0, plen = 0, tlen = 0, end = strlen(match_path);
    size_t nat = component(match_path, end, &nlen);
    size_t pat = nat ? component(match_path, nat - 1, &plen) : 0;
    size_t tat = pat ? component(match_path, pat - 1, &tlen) : 0;
    pinetl__s3sink_name n;
    const char *name = match_path + nat;
    if (!nat || !pat || !pinetl__s3sink_name_split(&n, name, nlen) || tlen != n.topic_len ||
        memcmp(match_path + tat, name, tlen) != 0 || plen != klen + n.part_len ||
        memcmp(match_path + pat, part_key, klen) != 0 ||
        memcmp(match_path + pat + klen, name + n.part_at, n.part_len) != 0) {
        w->skipped++;
        return notice(w->notices,
                      "skipped '%s': not an S3 sink object "
                      "(<topic>/partition=<p>/<topic>+<p>+<offset>.json)\n",
                      path);
    }
    if (pinetl__s3sink_topic_table(name, n.topic_len) != (int)w->table) {
        skip_other(w, name); /* another table's object: another run's input */
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
    o->topic = dup_range(name, 0, n.topic_len);
    o->partition = dup_range(name, n.part_at, n.part_at + n.part_len);
    o->offset = dup_range(name, n.start_at, n.start_at + n.start_len);
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

/* 1 when name[0, len) is "partition=<digits>". */
static int partition_name(const char *name, size_t len) {
    static const char key[] = "partition=";
    const size_t klen = sizeof key - 1;
    if (len <= klen || memcmp(name, key, klen) != 0)
        return 0;
    for (size_t i = klen; i < len; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    return 1;
}

/* Notes a skipped entry: a line in the notices, counted for the error of a listing that finds
 * nothing (which quotes the first one). */
static int skip(walk *w, const char *path, const char *why) {
    w->skipped++;
    return notice(w->notices, "skipped '%s': %s\n", path, why);
}

/* Reads the entries of one folder of the tree, `levels` folder levels above the objects: 2 for
 * topics/, 1 for a topic, 0 for a partition. Only the layout's folders are entered, so nothing
 * outside the tree is walked into (and a link back up cannot loop: the depth is fixed).
 * path: as the user named it; real: the same folder, resolved (for matching). */
static int walk_dir(walk *w, const char *path, const char *real, int levels) {
    DIR *d = opendir(path);
    if (!d)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                 "cannot read directory '%s': %s", path, strerror(errno));
    int rc = PINETL_OK;
    struct dirent *e;
    /* Collect names first: the recursion must not hold many directory streams open. */
    pinetl__strlist names = {0};
    while (rc == PINETL_OK && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rc = strlist_push(&names, e->d_name);
    closedir(d);
    for (size_t i = 0; rc == PINETL_OK && i < names.n; i++) {
        const char *name = names.items[i];
        size_t len = strlen(name);
        char *child = NULL, *child_real = NULL;
        if (!(child = join_path(path, name)) || !(child_real = join_path(real, name))) {
            pinetl__free(child);
            rc = pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
            break;
        }
        struct stat st;
        int dir = 0;
        if (stat(child, &st) != 0)
            rc = skip(w, child, strerror(errno));
        else if (!(dir = S_ISDIR(st.st_mode)) && !S_ISREG(st.st_mode))
            rc = skip(w, child, "not a regular file");
        else if (levels == 0)
            rc = dir ? skip(w, child, "a folder inside a partition folder")
                     : consider_file(w, child, child_real);
        else if (levels == 1)
            rc = dir && partition_name(name, len)
                     ? walk_dir(w, child, child_real, 0)
                     : skip(w, child, "not a partition folder (partition=<n>) of a topic");
        else if (!dir || !pinetl__s3sink_topic_valid(name, len))
            rc = skip(w, child, "not a topic folder (<table> or <prefix>.<table>) in topics/");
        else if (pinetl__s3sink_topic_table(name, len) != (int)w->table)
            skip_other(w, name); /* another table's topic, or another pipeline's: silently */
        else
            rc = walk_dir(w, child, child_real, 1);
        pinetl__free(child);
        pinetl__free(child_real);
    }
    pinetl__strlist_free(&names);
    return rc;
}

static const char sink_folders[] =
    "the landing folder holding topics/, topics/, a topic folder (<table> or <prefix>.<table>) or "
    "a partition folder (partition=<n>)";

/* The error for a folder that claims to be no part of an S3 sink tree: what it holds (none of
 * which is read) and how to read it. */
static int not_a_sink_folder(const char *dir) {
    size_t files = 0, folders = 0;
    char first[64] = "";
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (!first[0])
            snprintf(first, sizeof first, "%.63s", e->d_name);
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode))
            folders++;
        else
            files++;
    }
    if (d)
        closedir(d);
    return pinetl__error_set(PINETL_EFORMAT,
                             "'%.200s' is not an S3 sink folder (%s): its %zu files and %zu "
                             "folders (such as '%s') are skipped; name the files to read them",
                             dir, sink_folders, files, folders, first);
}

/* *levels: how many folder levels lie between dir and its objects, from what dir's resolved
 * name says it is (partition=<n>: 0, a topic: 1, topics: 2); a folder holding topics/ is read as
 * that topics/ (*via_topics = 1). -1 when dir claims to be none of these. */
static int folder_levels(int *levels, int *via_topics, const char *dir, const char *real) {
    size_t len = 0, at = component(real, strlen(real), &len);
    const char *base = real + at;
    *via_topics = 0;
    *levels = -1;
    if (partition_name(base, len)) {
        *levels = 0;
        return PINETL_OK;
    }
    if (len == 6 && !memcmp(base, "topics", 6)) {
        *levels = 2;
        return PINETL_OK;
    }
    char *topics = join_path(dir, "topics");
    if (!topics)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
    struct stat st;
    int holds = stat(topics, &st) == 0 && S_ISDIR(st.st_mode);
    pinetl__free(topics);
    if (holds) {
        *via_topics = 1;
        *levels = 2;
    } else if (pinetl__s3sink_topic_valid(base, len) &&
               pinetl__s3sink_topic_table(base, len) >= 0) {
        *levels = 1;
    }
    return PINETL_OK;
}

/* The error for a listing that found no object of the table: what it skipped, and why. */
static int nothing_found(const walk *w, const char *dir, size_t notes_from) {
    const char *first = w->notices->p ? w->notices->p + notes_from : "";
    int flen = (int)strcspn(first, "\n");
    return pinetl__error_set(
        PINETL_EFORMAT,
        "no S3 sink objects of table '%s' in '%.200s': skipped %zu topics or objects of other "
        "tables%s%s%s and %zu entries outside the layout%s%.*s%s",
        pinetl_table_name(w->table), dir, w->skipped_other, w->skipped_other ? " (such as '" : "",
        w->skipped_other ? w->other : "", w->skipped_other ? "')" : "", w->skipped,
        flen ? " (first: " : "", flen > 120 ? 120 : flen, first, flen ? ")" : "");
}

/* Sorts the objects found, or reports that none were, and hands their paths to out; frees w's. */
static int finish(walk *w, int rc, const char *dir, pinetl_table table, int require,
                  size_t notes_from, pinetl__strlist *out) {
    if (rc == PINETL_OK) {
        if (w->n)
            qsort(w->objs, w->n, sizeof *w->objs, cmp_objects);
        else if (require)
            rc = nothing_found(w, dir, notes_from);
        else
            rc = notice(w->notices, "no S3 sink objects of table '%s' under '%s'\n",
                        pinetl_table_name(table), dir);
    }
    for (size_t i = 0; i < w->n; i++) {
        if (rc == PINETL_OK)
            rc = strlist_push(out, w->objs[i].path);
        pinetl__free(w->objs[i].path);
        pinetl__free(w->objs[i].topic);
        pinetl__free(w->objs[i].partition);
        pinetl__free(w->objs[i].offset);
    }
    pinetl__free(w->objs);
    return rc;
}

int pinetl__s3sink_list(const char *dir, pinetl_table table, int require, pinetl__strlist *out,
                        pinetl__buf *notices) {
    if (!pinetl_table_name(table))
        return pinetl__error_set(PINETL_EINVAL, "listing S3 sink objects: unknown table %d",
                                 (int)table);
    walk w = {table, NULL, 0, 0, notices, 0, 0, ""};
    size_t notes_from = notices->len;
    char *real = realpath(dir, NULL);
    if (!real)
        return pinetl__error_set(errno == ENOENT ? PINETL_ENOTFOUND : PINETL_EIO,
                                 "cannot open '%s': %s", dir, strerror(errno));
    size_t rl = strlen(real);
    if (rl > 1 && real[rl - 1] == '/')
        real[rl - 1] = '\0';
    int via_topics, levels, rc = folder_levels(&levels, &via_topics, dir, real);
    if (rc == PINETL_OK && levels < 0) {
        rc = not_a_sink_folder(dir);
    } else if (rc == PINETL_OK && !via_topics) {
        rc = walk_dir(&w, dir, real, levels);
    } else if (rc == PINETL_OK) {
        char *top = join_path(dir, "topics"), *top_real = join_path(real, "topics");
        rc = top && top_real ? walk_dir(&w, top, top_real, levels)
                             : pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
        pinetl__free(top);
        pinetl__free(top_real);
    }
    free(real); /* realpath's own malloc */
    return finish(&w, rc, dir, table, require, notes_from, out);
}

/* A key below the listed folder, read as walk_dir reads a folder's entries: its components
 * must be the layout's folders down to the objects' level. A bucket has no folders, so a key
 * names its "folders" itself; each key is matched, and skipped with a notice, on its own. */
static int consider_key(walk *w, const char *base, const char *rel, int levels) {
    const char *at = rel;
    char *path = join_path(base, rel);
    if (!path)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
    int rc = PINETL_OK;
    for (int level = levels; rc == PINETL_OK; level--) {
        const char *slash = strchr(at, '/');
        size_t len = slash ? (size_t)(slash - at) : strlen(at);
        if (!slash) {
            rc = level == 0 ? consider_file(w, path, path)
                            : skip(w, path,
                                   level == 1 ? "not a partition folder (partition=<n>) "
                                                "of a topic"
                                              : "not a topic folder (<table> or "
                                                "<prefix>.<table>) in topics/");
            break;
        }
        if (level == 0) {
            rc = skip(w, path, "a folder inside a partition folder");
        } else if (level == 1 && !partition_name(at, len)) {
            rc = skip(w, path, "not a partition folder (partition=<n>) of a topic");
        } else if (level == 2 && !pinetl__s3sink_topic_valid(at, len)) {
            rc = skip(w, path, "not a topic folder (<table> or <prefix>.<table>) in topics/");
        } else if (level == 2 && pinetl__s3sink_topic_table(at, len) != (int)w->table) {
            char topic[64];
            snprintf(topic, sizeof topic, "%.*s", (int)(len < 63 ? len : 63), at);
            skip_other(w, topic);
        } else {
            at = slash + 1;
            continue;
        }
        break;
    }
    pinetl__free(path);
    return rc;
}

int pinetl__s3sink_list_keys(const char *dir, const char *const *keys, size_t n, pinetl_table table,
                             int require, pinetl__strlist *out, pinetl__buf *notices) {
    if (!pinetl_table_name(table))
        return pinetl__error_set(PINETL_EINVAL, "listing S3 sink objects: unknown table %d",
                                 (int)table);
    walk w = {table, NULL, 0, 0, notices, 0, 0, ""};
    size_t notes_from = notices->len, blen = 0;
    const char *base = dir + component(dir, strlen(dir), &blen);
    int levels = -1, via_topics = 0, rc = PINETL_OK;
    for (size_t i = 0; i < n && !via_topics; i++)
        via_topics = !strncmp(keys[i], "topics/", 7);
    if (partition_name(base, blen))
        levels = 0;
    else if ((blen == 6 && !memcmp(base, "topics", 6)) || via_topics)
        levels = 2;
    else if (pinetl__s3sink_topic_valid(base, blen) && pinetl__s3sink_topic_table(base, blen) >= 0)
        levels = 1;
    if (levels < 0 || (blen == 6 && !memcmp(base, "topics", 6)))
        via_topics = 0;
    if (levels < 0)
        return pinetl__error_set(PINETL_EFORMAT,
                                 "'%.200s' is not an S3 sink folder (%s): its %zu objects (such "
                                 "as '%.100s') are skipped; name the objects to read them",
                                 dir, sink_folders, n, n ? keys[0] : "");
    for (size_t i = 0; i < n && rc == PINETL_OK; i++) {
        if (via_topics && strncmp(keys[i], "topics/", 7))
            continue; /* the landing: only its topics/ is read, as for a folder */
        if (via_topics) {
            char *top = join_path(dir, "topics");
            rc = top ? consider_key(&w, top, keys[i] + 7, levels)
                     : pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
            pinetl__free(top);
        } else {
            rc = consider_key(&w, dir, keys[i], levels);
        }
    }
    return finish(&w, rc, dir, table, require, notes_from, out);
}

struct pinetl_s3sink_objects {
    pinetl__strlist paths;
    pinetl__buf notices;
};

int pinetl_s3sink_list(pinetl_s3sink_objects **out, const char *dir, pinetl_table table) {
    if (!out || !dir)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_s3sink_list: NULL argument");
    *out = NULL;
    pinetl_s3sink_objects *o = pinetl__calloc(1, sizeof *o);
    if (!o)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory listing S3 objects");
    int rc = pinetl__s3sink_list(dir, table, 0, &o->paths, &o->notices);
    if (rc) {
        pinetl_s3sink_objects_free(o);
        return rc;
    }
    *out = o;
    return PINETL_OK;
}

size_t pinetl_s3sink_objects_count(const pinetl_s3sink_objects *o) { return o ? o->paths.n : 0; }

const char *pinetl_s3sink_objects_path(const pinetl_s3sink_objects *o, size_t i) {
    return o && i < o->paths.n ? o->paths.items[i] : NULL;
}

const char *pinetl_s3sink_objects_notices(const pinetl_s3sink_objects *o) {
    return o && o->notices.p ? o->notices.p : "";
}

void pinetl_s3sink_objects_free(pinetl_s3sink_objects *o) {
    if (!o)
        return;
    pinetl__strlist_free(&o->paths);
    pinetl__buf_free(&o->notices);
    pinetl__free(o);
}
