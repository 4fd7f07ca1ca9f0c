/* Allocation failure on the stream paths: for N = 1, 2, ... the N-th allocation of the library
 * fails while (a) a stream log is created, appended to, synced, reopened (recovery) and read, and
 * (b) a consumer drains three logs into a new warehouse. Each run must return a negative code
 * with a message, or complete with the same result as without the failure; the next run without
 * a failure must succeed (and nothing leaks: LeakSanitizer in the sanitizer build). */
#include <pinetl/pinetl.h>

#include "alloc_sweep.h"
#include "slog_util.h"
#include "stream_records.h"

static char dir[256], log_path[512], landing[512], db_path[512];

static int path_streamlog(char *digest, size_t cap) {
    unlink(log_path);
    pinetl_streamlog *log = NULL;
    int rc = pinetl_streamlog_open(&log, log_path, 0);
    if (!rc)
        rc = slog_append(log, 1, 30, 2 << 20) ? PINETL_ERROR : PINETL_OK;
    if (rc && log && pinetl_error_last()[0] == '\0')
        rc = PINETL_ERROR;
    if (!rc)
        rc = pinetl_streamlog_sync(log);
    pinetl_streamlog_free(log);
    log = NULL;
    if (!rc)
        rc = pinetl_streamlog_open(&log, log_path, PINETL_STREAMLOG_NOCREATE);
    if (!rc)
        rc = slog_append(log, 31, 5, 0) ? PINETL_ERROR : PINETL_OK;
    pinetl_streamlog_free(log);
    pinetl_streamlog_reader *r = NULL;
    uint64_t n = 0, bytes = 0, last = 0;
    if (!rc)
        rc = pinetl_streamlog_reader_open_at(&r, log_path, 3, 0); /* a wrong hint: a scan */
    pinetl_streamlog_record rec;
    while (!rc) {
        rc = pinetl_streamlog_reader_next(&rec, r);
        if (rc != PINETL_BATCH)
            break;
        rc = PINETL_OK;
        n++;
        bytes += rec.data_len;
        last = rec.seq;
    }
    if (rc == PINETL_DONE)
        rc = PINETL_OK;
    pinetl_streamlog_reader_free(r);
    snprintf(digest, cap, "%llu records, %llu bytes, last %llu", (unsigned long long)n,
             (unsigned long long)bytes, (unsigned long long)last);
    return rc;
}

static int path_consumer(char *digest, size_t cap) {
    char side[600];
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    pinetl_warehouse *wh = NULL;
    pinetl_stream_consumer *c = NULL;
    pinetl_stream_options o;
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    o.batch_records = 40;
    o.batch_ms = 0;
    int rc = pinetl_warehouse_open(&wh, db_path, 0);
    if (!rc)
        rc = pinetl_stream_consumer_new(&c, wh, landing, &o);
    if (!rc)
        rc = pinetl_stream_consumer_map(c, "odd", PINETL_TABLE_GEO);
    pinetl_stream_status st;
    memset(&st, 0, sizeof st);
    for (int i = 0; !rc && i < 1000; i++) {
        rc = pinetl_stream_consumer_poll(c);
        if (rc == PINETL_BATCH) {
            rc = PINETL_OK;
            continue;
        }
        if (rc != PINETL_DONE)
            break;
        rc = pinetl_stream_consumer_status(&st, c);
        if (!rc && st.drained && !st.pending)
            break;
    }
    int64_t rows[3] = {0, 0, 0}, rejects = 0;
    for (int t = 0; !rc && t < 3; t++)
        rc = pinetl_warehouse_count(&rows[t], wh, pinetl_table_name((pinetl_table)t));
    if (!rc)
        rc = pinetl_warehouse_count(&rejects, wh, "rejects");
    char *notes = c ? pinetl_stream_consumer_notices(c) : NULL;
    pinetl_free(notes);
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    snprintf(digest, cap, "%lld records, %lld rejects, pin %lld, geo %lld, user %lld",
             (long long)st.records, (long long)rejects, (long long)rows[0], (long long)rows[1],
             (long long)rows[2]);
    return rc;
}

static void test_streamlog_paths(void) {
    alloc_sweep("streamlog", path_streamlog, 256, ALLOC_SWEEP_MESSAGE);
}
static void test_consumer_paths(void) {
    alloc_sweep("consumer", path_consumer, 256, ALLOC_SWEEP_MESSAGE);
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/pinetl-slog-alloc-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm"
             : tmp && *tmp                 ? tmp
                                           : "/tmp");
    if (!mkdtemp(dir))
        return 2;
    snprintf(log_path, sizeof log_path, "%s/one/shardId-000000000000.log", dir);
    snprintf(landing, sizeof landing, "%s/landing", dir);
    snprintf(db_path, sizeof db_path, "%s/w.db", dir);
    /* The consumer's logs: pin (with bad records), user, and "odd" mapped to geo. */
    const char *streams[3] = {sr_stream_names[0], sr_stream_names[2], "odd"};
    const int tables[3] = {0, 2, 1};
    for (int s = 0; s < 3; s++) {
        char path[1024], buf[512];
        snprintf(path, sizeof path, "%s/streams/%s/shardId-000000000000.log", landing, streams[s]);
        pinetl_streamlog *log = NULL;
        if (pinetl_streamlog_open(&log, path, 0))
            return 2;
        for (uint64_t q = 1; q <= 60; q++) {
            pinetl_streamlog_record r = {0};
            r.data = buf;
            r.data_len = sr_record(tables[s], 0, q, buf, sizeof buf);
            if (pinetl_streamlog_append(NULL, log, &r, 1))
                return 2;
        }
        pinetl_streamlog_free(log);
    }
    RUN(test_streamlog_paths);
    RUN(test_consumer_paths);
    slog_rmtree(dir);
    return check_done();
}
