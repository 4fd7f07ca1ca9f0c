/* Replays fuzz inputs without libFuzzer: each argument is a file or a directory of files (and
 * its subdirectories), each file handed once to LLVMFuzzerTestOneInput. A broken invariant aborts, so
 * meson test reports the failure; the name of the file being run is printed first. Lets gcc
 * builds and sanitizer builds check the committed corpus on every test run. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, len = 0, n;
    uint8_t *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *grown = realloc(buf, cap *= 2);
            if (!grown) {
                free(buf);
                buf = NULL;
            }
            buf = grown;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return 1;
    }
    fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
    /* An exact-size copy, so AddressSanitizer sees reads past the end of the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the regular files of a directory and its subdirectories in name order, so runs are
 * reproducible. */
static int run_dir(const char *dir, int *count) {
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int failed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **grown = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
            if (!grown) {
                failed = 1;
                break;
            }
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len))) {
            failed = 1;
            break;
        }
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int ok = !failed && stat(names[i], &st) == 0;
        if (ok && S_ISREG(st.st_mode)) {
            failed |= run_file(names[i]);
            (*count)++;
        } else if (ok && S_ISDIR(st.st_mode)) {
            failed |= run_dir(names[i], count); /* a tree of test files (fuzz_one_pass) */
        }
        free(names[i]);
    }
    free(names);
    return failed;
}

int main(int argc, char **argv) {
    int failed = 0, count = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            failed = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode))
            failed |= run_dir(argv[i], &count);
        else {
            failed |= run_file(argv[i]);
            count++;
        }
    }
    fprintf(stderr, "%d inputs replayed%s\n", count, failed ? ", with errors" : "");
    /* An empty corpus proves nothing: fail rather than pass silently. */
    return failed || count == 0;
}
