/* Edges of the stream API: the latency histogram (exact below 16 us, within 1/16 above, empty,
 * negative and huge values), stream positions (read-only and new databases, commit outside a
 * transaction, incomplete positions roll the whole transaction back), bad arguments everywhere,
 * defaults for out-of-range options, and a log that starts after the position asked for. */
#include <sqlite3.h>
#include <stdint.h>

#include <sys/stat.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "slog_util.h"
#include "stream/latency.h"
#include "streamlog/frame.h"

static char dir[256];

static void test_latency_histogram(void) {
    static pinetl__latency h;
    memset(&h, 0, sizeof h);
    CHECK_INT(pinetl__latency_quantile(&h, 0.5), 0);
    for (int v = 0; v < 16; v++)
        pinetl__latency_add(&h, v);
    CHECK_INT(pinetl__latency_quantile(&h, 1.0 / 16), 0);
    CHECK_INT(pinetl__latency_quantile(&h, 0.5), 7);
    CHECK_INT(pinetl__latency_quantile(&h, 1.0), 15);
    memset(&h, 0, sizeof h);
    pinetl__latency_add(&h, -5); /* a clock step back counts as 0 */
    CHECK_INT(h.count[0], 1);
    memset(&h, 0, sizeof h);
    int64_t values[] = {16, 100, 1000, 12345, 999999, 123456789};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        memset(&h, 0, sizeof h);
        for (int k = 0; k < 10; k++)
            pinetl__latency_add(&h, values[i]);
        int64_t q = pinetl__latency_quantile(&h, 0.5);
        CHECK(q <= values[i] && q >= values[i] - values[i] / 16 - 1);
        CHECK_INT(h.max, values[i]);
    }
    memset(&h, 0, sizeof h);
    pinetl__latency_add(&h, INT64_MAX); /* the last bucket */
    CHECK_INT(h.count[PINETL__LAT_BUCKETS - 1] + h.count[(62 - 3) * 16 + 15], 1);
    CHECK(pinetl__latency_quantile(&h, 0.99) >= INT64_MAX - INT64_MAX / 16);
    /* p99 of 99 fast and 1 slow record is fast; p100 is the slow one. */
    memset(&h, 0, sizeof h);
    for (int k = 0; k < 99; k++)
        pinetl__latency_add(&h, 1000);
    pinetl__latency_add(&h, 500000);
    int64_t p99 = pinetl__latency_quantile(&h, 0.99), p100 = pinetl__latency_quantile(&h, 1.0);
    CHECK(p99 >= 1000 - 1000 / 16 && p99 <= 1000 + 1000 / 16);
    CHECK(p100 >= 500000 - 500000 / 16 && p100 <= 500000);
    CHECK(pinetl__latency_quantile(&h, 0.0) > 0);
}

static void test_frame_reasons(void) {
    CHECK_STR(pinetl__slog_reason(PINETL__SLOG_VALID), "valid");
    CHECK_STR(pinetl__slog_reason(PINETL__SLOG_INCOMPLETE), "torn record");
    CHECK_STR(pinetl__slog_reason(PINETL__SLOG_BAD_MAGIC), "bad magic");
    CHECK_STR(pinetl__slog_reason(PINETL__SLOG_BAD_HEADER), "bad header");
    CHECK_STR(pinetl__slog_reason(PINETL__SLOG_BAD_CRC), "bad CRC");
    CHECK_STR(pinetl__slog_reason(99), "invalid record");
    /* Sequence number 0 is valid only in an identity frame. */
    unsigned char frame[64];
    pinetl__slog_encode(frame, "", 0, "{}", 2, 0, 1, 0);
    memcpy(frame + 32, "{}", 2);
    pinetl__slog_header h;
    size_t total = 0;
    CHECK_INT(pinetl__slog_check(frame, 34, 1, &h, &total), PINETL__SLOG_BAD_HEADER);
    pinetl__slog_encode(frame, "", 0, "{}", 2, 1, 1, 0);
    CHECK_INT(pinetl__slog_check(frame, 34, 1, &h, &total), PINETL__SLOG_VALID);
    CHECK_INT(total, 34);
    CHECK_INT(pinetl__slog_check(frame, 3, 1, &h, &total), PINETL__SLOG_INCOMPLETE);
    CHECK_INT(pinetl__slog_check(frame, 33, 1, &h, &total), PINETL__SLOG_INCOMPLETE);
    CHECK_INT(pinetl__slog_check(frame, 33, 0, &h, &total), PINETL__SLOG_VALID);
}

static void test_positions(void) {
    char db[600];
    snprintf(db, sizeof db, "%s/p.db", dir);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, db, 0), PINETL_OK);
    uint64_t seq = 9, off = 9;
    /* A database no consumer wrote to: position 0. */
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, "s", "shardId-000000000000"),
              PINETL_OK);
    CHECK_INT(seq, 0);
    CHECK_INT(off, 0);
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, NULL, "s", "x"), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, NULL, "x"), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_begin_stream(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_commit_positions(NULL, NULL, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, NULL, 1), PINETL_EINVAL);
    pinetl_stream_position p = {"s", "shardId-000000000000", 5, 500, NULL};
    /* Outside a transaction: refused. */
    CHECK_INT(pinetl_warehouse_commit_positions(wh, &p, 1), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "no load transaction") != NULL);
    /* With rows: committed together. */
    pinetl_batch *b = NULL;
    CHECK_INT(pinetl_batch_new(&b, PINETL_TABLE_USER), PINETL_OK);
    const char *rec = "{\"ind\": 1, \"first_name\": \"A\", \"last_name\": \"B\", \"age\": 30}";
    CHECK_INT(pinetl_batch_clean(b, rec, strlen(rec), NULL), PINETL_OK);
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, b), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, &p, 1), PINETL_OK);
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, "s", "shardId-000000000000"),
              PINETL_OK);
    CHECK_INT(seq, 5);
    CHECK_INT(off, 500);
    /* An incomplete or too large position rolls the rows back too. */
    pinetl_stream_position bad[2] = {{"s", "shardId-000000000000", 6, 600, NULL},
                                     {"s", NULL, 1, 1, NULL}};
    pinetl_batch_clear(b);
    rec = "{\"ind\": 2, \"first_name\": \"C\", \"last_name\": \"D\", \"age\": 40}";
    CHECK_INT(pinetl_batch_clean(b, rec, strlen(rec), NULL), PINETL_OK);
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_load(wh, b), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, bad, 2), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "rolled back") != NULL);
    int64_t n = -1;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "user"), PINETL_OK);
    CHECK_INT(n, 1);
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, "s", "shardId-000000000000"),
              PINETL_OK);
    CHECK_INT(seq, 5);
    pinetl_stream_position huge = {"s", "shardId-000000000000", UINT64_MAX, 1, NULL};
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, &huge, 1), PINETL_EINVAL);
    /* No positions: a plain commit. */
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, NULL, 0), PINETL_OK);
    pinetl_batch_free(b);
    pinetl_warehouse_free(wh);
    /* Read-only: positions are read; a read-only database without the table reads 0. */
    CHECK_INT(pinetl_warehouse_open(&wh, db, PINETL_WAREHOUSE_READONLY), PINETL_OK);
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, "s", "shardId-000000000000"),
              PINETL_OK);
    CHECK_INT(seq, 5);
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_EINVAL);
    pinetl_warehouse_free(wh);
    /* A broken schema is an error, not position 0. */
    sqlite3 *raw = NULL;
    CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
    CHECK_INT(sqlite3_exec(raw, "DROP TABLE stream_positions; CREATE TABLE stream_positions(x)",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(raw);
    CHECK_INT(pinetl_warehouse_open(&wh, db, 0), PINETL_OK);
    CHECK_INT(pinetl_warehouse_stream_position(&seq, &off, wh, "s", "x"), PINETL_ESQL);
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, &p, 1), PINETL_ESQL);
    pinetl_warehouse_free(wh);
}

static void test_consumer_arguments_and_defaults(void) {
    char db[600], land[600];
    snprintf(db, sizeof db, "%s/c.db", dir);
    snprintf(land, sizeof land, "%s/land", dir);
    pinetl_warehouse *wh = NULL;
    CHECK_INT(pinetl_warehouse_open(&wh, db, 0), PINETL_OK);
    pinetl_stream_consumer *c = NULL;
    CHECK_INT(pinetl_stream_consumer_new(NULL, wh, land, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_new(&c, NULL, land, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_poll(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_flush(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_wait(NULL, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_consumer_wait_ms(NULL, 7), 7);
    CHECK_INT(pinetl_stream_consumer_status(NULL, NULL), PINETL_EINVAL);
    CHECK(pinetl_stream_consumer_notices(NULL) == NULL);
    CHECK_INT(pinetl_stream_consumer_map(NULL, "x", PINETL_TABLE_PIN), PINETL_EINVAL);
    pinetl_stream_options_init(NULL, PINETL_STREAM_OPTIONS_VERSION);
    pinetl_stream_consumer_free(NULL);
    pinetl_stream_options o;
    memset(&o, 0, sizeof o); /* not set up by pinetl_stream_options_init: refused */
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, land, &o), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION + 1), PINETL_EINVAL);
    CHECK_INT(pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION), PINETL_OK);
    o.batch_records = 0; /* out of range: defaults */
    o.batch_ms = -5;
    /* A landing folder that does not exist is an error, not an empty landing (issue 18). */
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, land, &o), PINETL_ENOTFOUND);
    CHECK(strstr(pinetl_error_last(), "does not exist") != NULL);
    CHECK_INT(mkdir(land, 0777), 0);
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, land, &o), PINETL_OK);
    CHECK_INT(pinetl_stream_consumer_map(c, NULL, PINETL_TABLE_PIN), PINETL_EINVAL);
    /* No streams folder yet: drained, nothing to do. */
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    pinetl_stream_status st;
    CHECK_INT(pinetl_stream_consumer_status(&st, c), PINETL_OK);
    CHECK(st.drained);
    CHECK_INT(st.shards, 0);
    CHECK_INT(pinetl_stream_consumer_wait(c, -1), 0);
    /* Names that are no stream or shard are left alone. */
    char path[800];
    snprintf(path, sizeof path, "%s/streams/.hidden-pin/shardId-000000000000.log", land);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    CHECK_INT(slog_append(log, 1, 2, 0), 0);
    pinetl_streamlog_free(log);
    snprintf(path, sizeof path, "%s/streams/a-pin/notes.log", land);
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_free(log);
    snprintf(path, sizeof path, "%s/streams/a-pin/shardId-0.txt", land);
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_free(log);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_DONE);
    pinetl_stream_consumer_free(c);
    /* A position ahead of its log (the log was replaced): the consumer reports it. */
    snprintf(path, sizeof path, "%s/streams/b-geo/shardId-000000000000.log", land);
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    CHECK_INT(slog_append(log, 1, 2, 0), 0);
    pinetl_streamlog_free(log);
    pinetl_stream_position p = {"b-geo", "shardId-000000000000", 50, 99999, NULL};
    CHECK_INT(pinetl_warehouse_begin_stream(wh), PINETL_OK);
    CHECK_INT(pinetl_warehouse_commit_positions(wh, &p, 1), PINETL_OK);
    pinetl_stream_options_init(&o, PINETL_STREAM_OPTIONS_VERSION);
    CHECK_INT(pinetl_stream_consumer_new(&c, wh, land, &o), PINETL_OK);
    CHECK_INT(pinetl_stream_consumer_poll(c), PINETL_EFORMAT);
    CHECK(strstr(pinetl_error_last(), "stream b-geo, shardId-000000000000.log") != NULL);
    pinetl_stream_consumer_free(c);
    pinetl_warehouse_free(wh);
}

static void test_log_starting_after_position(void) {
    /* A log whose first record is 8 (older records trimmed): readers after 7 start there. */
    char path[600];
    snprintf(path, sizeof path, "%s/late/shardId-000000000000.log", dir);
    char data[8] = "{}";
    unsigned char frame[64];
    pinetl__slog_encode(frame, "", 0, data, 2, 8, 1, 0);
    memcpy(frame + 32, data, 2);
    pinetl_streamlog *log = NULL;
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_free(log);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(frame, 1, 34, f) == 34 && fclose(f) == 0);
    pinetl_streamlog_reader *r = NULL;
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 7), PINETL_OK);
    pinetl_streamlog_record rec;
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_BATCH);
    CHECK_INT(rec.seq, 8);
    pinetl_streamlog_reader_free(r);
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 0), PINETL_OK);
    CHECK_INT(pinetl_streamlog_reader_next(&rec, r), PINETL_BATCH);
    CHECK_INT(rec.seq, 8);
    CHECK_INT(pinetl_streamlog_reader_sync(r), PINETL_OK);
    pinetl_streamlog_reader_free(r);
    CHECK_INT(pinetl_streamlog_reader_open(&r, path, 3), PINETL_EFORMAT);
    CHECK_INT(pinetl_streamlog_open(&log, path, 0), PINETL_OK);
    pinetl_streamlog_recovery info;
    pinetl_streamlog_recovery_info(&info, log);
    CHECK_INT(info.first_seq, 8);
    CHECK_INT(pinetl_streamlog_last_seq(log), 8);
    pinetl_streamlog_recovery_info(NULL, log);
    pinetl_streamlog_free(log);
    pinetl_streamlog_recovery_info(&info, NULL);
    CHECK_INT(info.records, 0);
    /* Bad arguments of the reader. */
    uint64_t b;
    CHECK_INT(pinetl_streamlog_reader_open(NULL, path, 0), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_reader_behind(&b, NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_reader_sync(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_reader_seq(NULL), 0);
    CHECK_INT(pinetl_streamlog_reader_offset(NULL), 0);
    CHECK_INT(pinetl_streamlog_size(NULL), 0);
}

static void test_sequence_strings(void) {
    char buf[32];
    uint64_t v = 0;
    CHECK_INT(pinetl_streamlog_seq_format(buf, sizeof buf, 42), PINETL_OK);
    CHECK_STR(buf, "000000000000000000042");
    CHECK_INT(pinetl_streamlog_seq_format(buf, sizeof buf, UINT64_MAX), PINETL_OK);
    CHECK_STR(buf, "018446744073709551615");
    CHECK_INT(pinetl_streamlog_seq_parse(&v, buf), PINETL_OK);
    CHECK(v == UINT64_MAX);
    CHECK_INT(pinetl_streamlog_seq_format(buf, 21, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_seq_format(NULL, 22, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_seq_parse(&v, "000000000000000000042"), PINETL_OK);
    CHECK_INT(v, 42);
    CHECK_INT(pinetl_streamlog_seq_parse(&v, "7"), PINETL_OK);
    CHECK_INT(v, 7);
    const char *bad[] = {"",
                         "-1",
                         "12a",
                         " 1",
                         "018446744073709551616",
                         "0000000000000000000001",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(pinetl_streamlog_seq_parse(&v, bad[i]), PINETL_EINVAL);
    CHECK_INT(pinetl_streamlog_seq_parse(&v, NULL), PINETL_EINVAL);
}

int main(void) {
    if (!slog_tmpdir(dir, sizeof dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_latency_histogram);
    RUN(test_frame_reasons);
    RUN(test_positions);
    RUN(test_consumer_arguments_and_defaults);
    RUN(test_log_starting_after_position);
    RUN(test_sequence_strings);
    slog_rmtree(dir);
    return check_done();
}
