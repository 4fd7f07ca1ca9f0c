/* The landing writer's recovery, path by path. A crash is a child process that appends, syncs
 * (or not) and _exit()s without closing; the parent then opens the partition as a restarted
 * server would. Checked: offsets continue after the committed records; a torn or unacknowledged
 * tail is cut; a roll interrupted between its rename and its state write is completed without a
 * duplicate; a torn state slot falls back to the previous one; without a state file the offsets
 * follow the rolled files; an open file shorter than its state is an error, not silent loss;
 * files are split at flush_size. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pinetl/common.h>

#include "check.h"
#include "landing/landing.h"
#include "util/alloc.h"

static char dir[256];

static void remove_dir(void) {
    if (!dir[0])
        return;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    dir[0] = '\0';
}

static void fresh_dir(void) {
    remove_dir();
    snprintf(dir, sizeof dir, "/tmp/pinetl-landing-test-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(2);
    }
}

static pinetl__landing_options opts(uint64_t flush) {
    pinetl__landing_options o;
    pinetl__landing_options_init(&o);
    o.flush_size = flush;
    o.rotate_ms = 0;
    return o;
}

/* Appends records "{"i":first}" .. "{"i":first+n-1}". */
static int append(pinetl__landing *w, int first, int n, uint64_t *first_off) {
    char data[4096];
    size_t off[64];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        off[i] = len;
        len += (size_t)snprintf(data + len, sizeof data - len, "{\"i\":%d}", first + i);
    }
    off[n] = len;
    uint64_t dummy;
    return pinetl__landing_append(first_off ? first_off : &dummy, w, data, off, (size_t)n, 0);
}

/* Lines of the rolled files, in offset order, as one string ("0,1,2"); checks the chain. */
static void rolled(char *out, size_t cap) {
    out[0] = '\0';
    uint64_t next = 0;
    for (;;) {
        char path[512];
        snprintf(path, sizeof path, "%s/topics/t.pin/partition=0/t.pin+0+%010llu.json", dir,
                 (unsigned long long)next);
        FILE *f = fopen(path, "r");
        if (!f)
            return;
        char line[256];
        while (fgets(line, sizeof line, f)) {
            int i;
            if (sscanf(line, "{\"i\":%d}", &i) == 1) {
                size_t k = strlen(out);
                snprintf(out + k, cap - k, "%s%d", k ? "," : "", i);
            }
            next++;
        }
        fclose(f);
    }
}

/* Child: opens, appends a records and syncs, then appends b more without syncing (buffered and
 * written out only if tail != NULL, as raw bytes) and dies. */
static void crash_after(int a, const char *tail) {
    pid_t pid = fork();
    if (pid == 0) {
        pinetl__landing *w;
        pinetl__landing_options o = opts(1000);
        if (pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o))
            _exit(3);
        if (a && (append(w, 0, a, NULL) || pinetl__landing_sync(w)))
            _exit(4);
        if (tail) {
            char path[512];
            snprintf(path, sizeof path, "%s/.serve/t.pin+0.open", dir);
            int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
            if (fd < 0 || write(fd, tail, strlen(tail)) < 0)
                _exit(5);
        }
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_clean_close_and_reopen(void) {
    fresh_dir();
    pinetl__landing_options o = opts(1000);
    pinetl__landing *w;
    uint64_t first;
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(append(w, 0, 5, &first), 0);
    CHECK_INT(first, 0);
    CHECK_INT(pinetl__landing_close(w), 0);
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(pinetl__landing_next_offset(w), 5);
    CHECK_INT(append(w, 5, 2, &first), 0);
    CHECK_INT(first, 5);
    CHECK_INT(pinetl__landing_close(w), 0);
    char got[512];
    rolled(got, sizeof got);
    CHECK_STR(got, "0,1,2,3,4,5,6");
}

static void test_torn_tail_cut(void) {
    fresh_dir();
    crash_after(3, "{\"i\":99}\n{\"i\":100, \"to"); /* unacknowledged + torn */
    pinetl__landing_options o = opts(1000);
    pinetl__landing *w;
    char notice[512];
    CHECK_INT(pinetl__landing_open(&w, notice, sizeof notice, dir, "t.pin", 0, &o), 0);
    CHECK(strstr(notice, "cut") != NULL);
    CHECK_INT(pinetl__landing_next_offset(w), 3);
    CHECK_INT(append(w, 3, 1, NULL), 0);
    CHECK_INT(pinetl__landing_close(w), 0);
    char got[512];
    rolled(got, sizeof got);
    CHECK_STR(got, "0,1,2,3");
}

static void test_interrupted_roll_completed(void) {
    fresh_dir();
    crash_after(4, NULL);
    /* The rename happened, the state write did not. */
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/.serve/t.pin+0.open", dir);
    snprintf(to, sizeof to, "%s/topics/t.pin/partition=0/t.pin+0+0000000000.json", dir);
    CHECK_INT(rename(from, to), 0);
    pinetl__landing_options o = opts(1000);
    pinetl__landing *w;
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(pinetl__landing_next_offset(w), 4);
    CHECK_INT(append(w, 4, 1, NULL), 0);
    CHECK_INT(pinetl__landing_close(w), 0);
    char got[512];
    rolled(got, sizeof got);
    CHECK_STR(got, "0,1,2,3,4");
}

static void test_torn_state_slot_falls_back(void) {
    fresh_dir();
    pid_t pid = fork();
    if (pid == 0) { /* two commits (2 then 3 records), then the second state write is torn */
        pinetl__landing *w;
        pinetl__landing_options o = opts(1000);
        if (pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o) || append(w, 0, 2, NULL) ||
            pinetl__landing_sync(w) || append(w, 2, 3, NULL) || pinetl__landing_sync(w))
            _exit(3);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* Find the newest slot: its count is 5. Tear it. */
    char path[512];
    snprintf(path, sizeof path, "%s/.serve/t.pin+0.state", dir);
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0);
    for (int slot = 0; slot < 2; slot++) {
        uint64_t v[4];
        if (pread(fd, v, sizeof v, slot * 512 + 8) == (ssize_t)sizeof v && v[2] == 5) {
            char junk[8] = "torn!!!";
            CHECK(pwrite(fd, junk, sizeof junk, slot * 512 + 24) == (ssize_t)sizeof junk);
        }
    }
    close(fd);
    pinetl__landing_options o = opts(1000);
    pinetl__landing *w;
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(pinetl__landing_next_offset(w), 2);
    CHECK_INT(pinetl__landing_close(w), 0);
    char got[512];
    rolled(got, sizeof got);
    CHECK_STR(got, "0,1");
}

static void test_no_state_follows_rolled_files(void) {
    fresh_dir();
    pinetl__landing_options o = opts(3);
    pinetl__landing *w;
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(append(w, 0, 7, NULL), 0);
    CHECK_INT(pinetl__landing_close(w), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/.serve'", dir);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(pinetl__landing_next_offset(w), 7);
    CHECK_INT(pinetl__landing_close(w), 0);
}

static void test_short_open_file_is_an_error(void) {
    fresh_dir();
    crash_after(3, NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/.serve/t.pin+0.open", dir);
    CHECK_INT(truncate(path, 5), 0);
    pinetl__landing_options o = opts(1000);
    pinetl__landing *w = NULL;
    CHECK(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o) < 0);
    CHECK(w == NULL);
}

static void test_flush_size_splits_requests(void) {
    fresh_dir();
    pinetl__landing_options o = opts(3);
    pinetl__landing *w;
    uint64_t first;
    CHECK_INT(pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o), 0);
    CHECK_INT(append(w, 0, 2, &first), 0);
    CHECK_INT(append(w, 2, 5, &first), 0);
    CHECK_INT(first, 2);
    CHECK_INT(pinetl__landing_sync(w), 0);
    struct stat sb;
    char path[512];
    snprintf(path, sizeof path, "%s/topics/t.pin/partition=0/t.pin+0+0000000003.json", dir);
    CHECK_INT(stat(path, &sb), 0);
    snprintf(path, sizeof path, "%s/topics/t.pin/partition=0/t.pin+0+0000000006.json", dir);
    CHECK(stat(path, &sb) != 0); /* still open: one record */
    CHECK_INT(pinetl__landing_close(w), 0);
    CHECK_INT(stat(path, &sb), 0);
    char got[512];
    rolled(got, sizeof got);
    CHECK_STR(got, "0,1,2,3,4,5,6");
}

/* Every allocation of open, append, sync and close failing in turn: a clean error each time
 * (under AddressSanitizer: no leak, no bad access), and the path completes once none fails. */
static void test_allocation_failures(void) {
    pinetl__landing_options o = opts(2);
    int completed = 0;
    for (long n = 1; n < 500 && !completed; n++) {
        fresh_dir();
        pinetl__alloc_fail_nth(n);
        pinetl__landing *w = NULL;
        int rc = pinetl__landing_open(&w, NULL, 0, dir, "t.pin", 0, &o);
        if (rc == 0) {
            rc = append(w, 0, 5, NULL);
            if (rc == 0)
                rc = pinetl__landing_sync(w);
            int rc2 = pinetl__landing_close(w);
            if (rc == 0)
                rc = rc2;
        } else {
            CHECK(w == NULL);
        }
        long pending = pinetl__alloc_fail_pending();
        pinetl__alloc_fail_nth(0);
        if (pending > 0) {
            CHECK_INT(rc, 0);
            completed = 1;
        } else {
            CHECK(rc == PINETL_ENOMEM || rc == PINETL_EIO);
        }
    }
    CHECK(completed);
}

int main(void) {
    RUN(test_clean_close_and_reopen);
    RUN(test_torn_tail_cut);
    RUN(test_interrupted_roll_completed);
    RUN(test_torn_state_slot_falls_back);
    RUN(test_no_state_follows_rolled_files);
    RUN(test_short_open_file_is_an_error);
    RUN(test_flush_size_splits_requests);
    RUN(test_allocation_failures);
    remove_dir();
    return check_done();
}
