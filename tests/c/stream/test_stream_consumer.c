/* The stream consumer (the library behind `pinetl stream`): micro-batches closed by count and by
 * time, rejects stored with their stream positions, positions committed with the rows and
 * resumed by a new consumer, streams mapped by name or explicitly (unmapped ones noticed, not
 * read), new shards picked up while running, a torn tail waited on. */
#include <sqlite3.h>
#include <time.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "slog_util.h"
#include "stream_records.h"

static char dir[256], landing[512], dbpath[512];

static pinetl_streamlog *open_log(const char *stream, int shard) {
    char path[1024];
    snprintf(path, sizeof path, "%s/streams/%s/shardId-%012d.log", landing, stream, shard);
    pinetl_streamlog *log = NULL;
    if (pinetl_streamlog_open(&log, path, 0))
        fprintf(stderr, "open %s: %s\n", path, pinetl_error_last());
    return log;
}

/* Appends records first..first+n-1 of (table, shard) as stream_records.h makes them. */
/* Appends records with keys first..first+n-1; their sequence numbers must be the same when
 * same_seq (no jump in the log's sequence). */
static int append_keys(pinetl_streamlog *log, int table, int shard, uint64_t first, size_t n,
                       int same_seq) {
    for (size_t i = 0; i < n; i++) {
        char buf[512];
        pinetl_streamlog_record r = {0};
        r.data = buf;
        r.data_len = sr_record(table, shard, first + i, buf, sizeof buf);
        r.key = "k";
        r.key_len = 1;
        uint64_t got;
        if (pinetl_streamlog_append(&got, log, &r, 1) || (same_seq && got != first + i))
            return -1;
    }
    return 0;
}

static int append(pinetl_streamlog *log, int table, int shard, uint64_t first, size_t n) {
    return append_keys(log, table, shard, first, n, 1);
}

/* Distinct inds of the valid records 1..last of a shard. */
static int64_t expected_rows(int shard, uint64_t last) {
    static char seen[SR_INDS];
    memset(seen, 0, sizeof seen);
    int64_t n = 0;
    for (uint64_t q = 1; q <= last; q++)
        if (!sr_is_bad(q) && !seen[sr_ind(shard, q) - (int64_t)shard * SR_SHARD_STRIDE]++)
            n++;
    return n;
}

static int64_t count(pinetl_warehouse *wh, const char *table) {
    int64_t n = -1;
    pinetl_warehouse_count(&n, wh, table);
    return n;
}

/* Polls until the logs are drained and nothing is pending; returns the batches committed. */
static int drain(pinetl_stream_consumer *c) {
    int batches = 0;
    for (int i = 0; i < 100000; i++) {
        int rc = pinetl_stream_consumer_poll(c);
        if (rc == PINETL_BATCH) {
            batches++;
            continue;
        }
        if (rc != PINETL_DONE) {
            fprintf(stderr, "poll: %s\n", pinetl_error_last());
            return -1;
        }
        pinetl_stream_status st;
        pinetl_stream_consumer_status(&st, c);
        if (st.drained && !st.pending)
            break;
        if (st.drained && pinetl_stream_consumer_flush(c) == PINETL_BATCH)
            batches++;
    }
    return batches;
}

static void test_batches_by_count(void) {
    pinetl_streamlog *pin = open_log(sr_stream_names[0], 0);
    CHECK(pin != NULL);
    CHECK_INT(append(pin, 0, 0, 1, 1000), 0);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, dbpath, 0), PINETL_OK);
    pinetl_stream_options o;
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    o.batch_records = 100;
    o.batch_ms = 1000000; /* only the count closes a batch */
    pinetl_stream_consumer *c = NULL;
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, landing, &o), PINETL_OK);
    for (int i = 0; i < 10; i++)
        CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_BATCH);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    pinetl_stream_status st;
    CHECK_INT(pinetl_stream_consumer_status(&st, c), PINETL_OK);
    CHECK_INT(st.batches, 10);
    CHECK_INT(st.records, 1000);
    CHECK_INT(st.rejects, 1000 / 37);
    CHECK_INT(st.pending, 0);
    CHECK_INT(st.behind_bytes, 0);
    CHECK(st.drained);
    CHECK_INT(st.shards, 1);
    CHECK(st.latency_p50_us > 0 && st.latency_p50_us <= st.latency_p99_us &&
          st.latency_p99_us <= st.latency_max_us);
    CHECK_INT(count(wh, "rejects"), 1000 / 37);
    CHECK_INT(count(wh, "pin"), expected_rows(0, 1000));
    uint64_t seq = 0, off = 0;
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, sr_stream_names[0],
                                               "shardId-000000000000"),
              PINETL_OK);
    CHECK_INT(seq, 1000);
    CHECK_INT(off, pinetl_streamlog_size(pin));
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    pinetl_streamlog_free(pin);
}

static void test_rejects_positions(void) {
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db,
                                 "SELECT \"table\", source, \"offset\", reason, raw FROM "
                                 "rejects WHERE line = ?1",
                                 -1, &st, NULL),
              SQLITE_OK);
    /* The frame offsets of the bad records, from a reader. */
    char path[1024], source[256];
    snprintf(path, sizeof path, "%s/streams/%s/shardId-000000000000.log", landing,
             sr_stream_names[0]);
    snprintf(source, sizeof source, "%s/shardId-000000000000", sr_stream_names[0]);
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 0), PINETL_OK);
    pinetl_streamlog_record rec;
    int checked = 0, wrong = 0;
    const char *reasons[] = {"invalid_json", "bad_key", "not_an_object"};
    while (r && st && pinetl_streamlog_reader_next(&rec, r) == PINETL_BATCH) {
        if (!sr_is_bad(rec.seq))
            continue;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)rec.seq);
        int ok = sqlite3_step(st) == SQLITE_ROW &&
                 !strcmp((const char *)sqlite3_column_text(st, 0), "pin") &&
                 !strcmp((const char *)sqlite3_column_text(st, 1), source) &&
                 (uint64_t)sqlite3_column_int64(st, 2) == rec.offset &&
                 !strcmp((const char *)sqlite3_column_text(st, 3), reasons[(rec.seq / 37) % 3]) &&
                 (size_t)sqlite3_column_bytes(st, 4) == rec.data_len &&
                 !memcmp(sqlite3_column_blob(st, 4), rec.data, rec.data_len) &&
                 sqlite3_step(st) == SQLITE_DONE;
        if (!ok && wrong++ < 3)
            fprintf(stderr, "reject of seq %llu (offset %llu) not as expected\n",
                    (unsigned long long)rec.seq, (unsigned long long)rec.offset);
        sqlite3_reset(st);
        checked++;
    }
    CHECK_INT(checked, 1000 / 37);
    CHECK_INT(wrong, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    pinetl_streamlog_reader_free(r);
}

static void test_batches_by_time_and_resume(void) {
    pinetl_streamlog *pin = open_log(sr_stream_names[0], 0);
    CHECK_INT(append(pin, 0, 0, 1001, 10), 0);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, dbpath, 0), PINETL_OK);
    pinetl_stream_options o;
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    o.batch_records = 1000000;
    o.batch_ms = 300;
    pinetl_stream_consumer *c = NULL;
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, landing, &o), PINETL_OK);
    /* A new consumer resumes after the committed position: only the 10 new records. */
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    pinetl_stream_status st;
    pinetl_stream_consumer_status(&st, c);
    CHECK_INT(st.pending, 10);
    CHECK_INT(st.batches, 0);
    int wait = pinetl_stream_consumer_wait_ms(c, 1000);
    CHECK(wait > 0 && wait <= 300);
    CHECK_INT(pinetl_stream_consumer_wait_ms(c, 5), 5);
    uint64_t seq = 0, off = 0;
    pinetl_warehouse_stream_position(&seq, &off, wh, sr_stream_names[0], "shardId-000000000000");
    CHECK_INT(seq, 1000); /* not committed before its time */
    struct timespec ts = {0, (long)wait * 1000000L + 5000000L};
    nanosleep(&ts, NULL);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_BATCH);
    pinetl_stream_consumer_status(&st, c);
    CHECK_INT(st.records, 10);
    CHECK_INT(st.pending, 0);
    CHECK(st.last_latency_us >= 300000); /* it waited for the batch's time */
    pinetl_warehouse_stream_position(&seq, &off, wh, sr_stream_names[0], "shardId-000000000000");
    CHECK_INT(seq, 1010);
    /* Flush commits a partial batch at once; with nothing pending it does nothing. */
    CHECK_INT(append(pin, 0, 0, 1011, 3), 0);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    CHECK_INT(pinetl_stream_consumer_flush(c), PINETL_BATCH);
    CHECK_INT(pinetl_stream_consumer_flush(c), PINETL_DONE);
    pinetl_warehouse_stream_position(&seq, &off, wh, sr_stream_names[0], "shardId-000000000000");
    CHECK_INT(seq, 1013);
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    pinetl_streamlog_free(pin);
}

static void test_mapping_new_shards_and_torn_tail(void) {
    pinetl_streamlog *odd = open_log("clicks", 0), *other = open_log("unrelated-stuff", 0);
    CHECK_INT(append(odd, 1, 0, 1, 50), 0);
    CHECK_INT(append(other, 1, 0, 1, 5), 0);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, dbpath, 0), PINETL_OK);
    pinetl_stream_options o;
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    o.batch_ms = 0;
    o.rescan_ms = 1;
    o.stuck_notice_ms = 50;
    pinetl_stream_consumer *c = NULL;
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, landing, &o), PINETL_OK);
    CHECK_INT(pinetl_stream_consumer_map(c, "clicks", PINETL_TABLE_GEO), PINETL_OK);
    CHECK_INT(pinetl_stream_consumer_map(c, "x", (pinetl_table)7), PINETL_EINVAL);
    CHECK(drain(c) >= 1);
    char *notes = pinetl_stream_consumer_notices(c);
    CHECK(notes && strstr(notes, "stream unrelated-stuff: no table") != NULL);
    pinetl_free(notes);
    CHECK(pinetl_stream_consumer_notices(c) == NULL); /* said once */
    int64_t geo = count(wh, "geo");
    CHECK_INT(geo, 50 - 1); /* record 37 is bad */
    /* A new shard of a known stream and a new stream appear while it runs. */
    pinetl_streamlog *pin1 = open_log(sr_stream_names[0], 1),
                     *user = open_log(sr_stream_names[2], 0);
    CHECK_INT(append(pin1, 0, 1, 1, 20), 0);
    CHECK_INT(append(user, 2, 0, 1, 30), 0);
    struct timespec ts = {0, 3000000};
    nanosleep(&ts, NULL);
    CHECK(drain(c) >= 1);
    pinetl_stream_status st;
    pinetl_stream_consumer_status(&st, c);
    CHECK_INT(st.shards, 4);
    CHECK_INT(count(wh, "user"), 30);
    CHECK_INT(st.records, 50 + 20 + 30);
    /* A torn tail: the consumer commits the records before it and waits. */
    char path[1024];
    snprintf(path, sizeof path, "%s/streams/%s/shardId-000000000000.log", landing,
             sr_stream_names[2]);
    CHECK_INT(append(user, 2, 0, 31, 2), 0);
    uint64_t size = pinetl_streamlog_size(user);
    pinetl_streamlog_free(user);
    CHECK_INT(truncate(path, (off_t)size - 10), 0);
    CHECK(drain(c) >= 1);
    CHECK_INT(count(wh, "user"), 31);
    /* Waiting there for long is noticed, once. */
    struct timespec pause = {0, 80000000};
    nanosleep(&pause, NULL);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    notes = pinetl_stream_consumer_notices(c);
    char want[200];
    snprintf(want, sizeof want, "stream %s/shardId-000000000000: the ", sr_stream_names[2]);
    CHECK(notes && strstr(notes, want) && strstr(notes, "after sequence number 31"));
    pinetl_free(notes);
    nanosleep(&pause, NULL);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    CHECK(pinetl_stream_consumer_notices(c) == NULL);
    pinetl_stream_consumer_status(&st, c);
    int64_t behind = st.behind_bytes;
    user = open_log(sr_stream_names[2], 0);
    /* (The recovered log ends in the identity frame of its next epoch: 72 bytes.) */
    CHECK_INT(behind, (int64_t)size - 10 - ((int64_t)pinetl_streamlog_size(user) - 72));
    /* The writer recovered (cut the torn record, moved the sequence past any number it could
     * have held) and the client sends it again: it arrives once. */
    uint64_t jumped = pinetl_streamlog_last_seq(user);
    CHECK(jumped > 31);
    CHECK_INT(append_keys(user, 2, 0, 32, 3, 0), 0);
    CHECK(drain(c) >= 1);
    CHECK_INT(count(wh, "user"), 34);
    uint64_t seq = 0, off = 0;
    pinetl_warehouse_stream_position(&seq, &off, wh, sr_stream_names[2], "shardId-000000000000");
    CHECK_INT(seq, jumped + 3);
    CHECK_INT(off, pinetl_streamlog_size(user));
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    pinetl_streamlog_free(odd);
    pinetl_streamlog_free(other);
    pinetl_streamlog_free(pin1);
    pinetl_streamlog_free(user);
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_wait_wakes_on_change(void) {
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, dbpath, 0), PINETL_OK);
    pinetl_stream_options o;
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    o.batch_ms = 0;
    o.rescan_ms = 3600 * 1000; /* only a wake-up finds new shards in time */
    pinetl_stream_consumer *c = NULL;
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, landing, &o), PINETL_OK);
    CHECK(drain(c) >= 0);
    pinetl_stream_status st;
    pinetl_stream_consumer_status(&st, c);
    int64_t shards = st.shards;
    /* Nothing changes: the wait lasts its time. */
    int64_t t0 = now_ms();
    CHECK_INT(pinetl_stream_consumer_wait(c, 200), 0);
    CHECK(now_ms() - t0 >= 190);
    /* An append wakes it at once. */
    pinetl_streamlog *user = open_log(sr_stream_names[2], 0);
    uint64_t next = pinetl_streamlog_last_seq(user) + 1;
    CHECK_INT(append(user, 2, 0, next, 1), 0);
    t0 = now_ms();
    CHECK_INT(pinetl_stream_consumer_wait(c, 5000), 1);
    CHECK(now_ms() - t0 < 1000);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_BATCH);
    /* A new stream wakes it and is scanned at the next poll. */
    pinetl_streamlog *fresh = open_log("late-geo", 0);
    CHECK_INT(append(fresh, 1, 0, 1, 2), 0);
    CHECK_INT(pinetl_stream_consumer_wait(c, 5000), 1);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_BATCH);
    pinetl_stream_consumer_status(&st, c);
    CHECK_INT(st.shards, shards + 1);
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    pinetl_streamlog_free(user);
    pinetl_streamlog_free(fresh);
}

/* pinetl_stream_consumer_shard_status (pinetl stream --metrics-file): records read but not
 * committed are the shard's lag in records, the whole log after the committed position its lag
 * in bytes; a commit moves them to the shard's committed records. Its own landing and warehouse. */
static void test_shard_status_counts_and_lag(void) {
    char land[600], db[600], path[1024];
    snprintf(land, sizeof land, "%s/landing-shards", dir);
    snprintf(db, sizeof db, "%s/shards.db", dir);
    snprintf(path, sizeof path, "%s/streams/%s/shardId-000000000000.log", land, sr_stream_names[0]);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    CHECK_INT(append(log, 0, 0, 1, 50), 0);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, db, 0), PINETL_OK);
    pinetl_stream_options o;
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    o.batch_ms = 1000000; /* only a flush commits */
    pinetl_stream_consumer *c = NULL;
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, land, &o), PINETL_OK);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    pinetl_stream_shard_status sh;
    CHECK_INT(pinetl_stream_consumer_shard_status(&sh, c, 0), PINETL_OK);
    CHECK_STR(sh.stream, sr_stream_names[0]);
    CHECK_STR(sh.shard, "shardId-000000000000");
    CHECK_INT(sh.records, 0);
    CHECK_INT(sh.lag_records, 50);
    CHECK_INT(sh.lag_bytes, (long long)pinetl_streamlog_size(log));
    CHECK_INT(pinetl_stream_consumer_flush(c), PINETL_BATCH);
    CHECK_INT(pinetl_stream_consumer_shard_status(&sh, c, 0), PINETL_OK);
    CHECK_INT(sh.records, 50);
    CHECK_INT(sh.lag_records, 0);
    CHECK_INT(sh.lag_bytes, 0);
    CHECK_INT(append(log, 0, 0, 51, 7), 0); /* not read yet: bytes behind, no records read */
    CHECK_INT(pinetl_stream_consumer_shard_status(&sh, c, 0), PINETL_OK);
    CHECK_INT(sh.lag_records, 0);
    CHECK(sh.lag_bytes > 0);
    CHECK_INT(pinetl_stream_consumer_shard_status(&sh, c, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_shard_status(&sh, c, -1), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_shard_status(NULL, c, 0), PINETL_EINVAL);
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
    pinetl_streamlog_free(log);
}

int main(void) {
    if (!slog_tmpdir(dir, sizeof dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(landing, sizeof landing, "%s/landing", dir);
    snprintf(dbpath, sizeof dbpath, "%s/w.db", dir);
    RUN(test_batches_by_count);
    RUN(test_rejects_positions);
    RUN(test_batches_by_time_and_resume);
    RUN(test_mapping_new_shards_and_torn_tail);
    RUN(test_wait_wakes_on_change);
    RUN(test_shard_status_counts_and_lag);
    slog_rmtree(dir);
    return check_done();
}
