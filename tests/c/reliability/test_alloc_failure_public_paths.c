/* Allocation failure on every public path: for N = 1, 2, ... the N-th allocation of the library
 * fails, and each path (a batch clean and its renders, the threaded reader, a dataset and the
 * nine insights, the warehouse with its load transaction, views and SQL functions) must return a
 * negative code with a message, or complete with the same result as without the failure; it
 * must not crash, hang or leak (LeakSanitizer in the sanitizer build), and the next run without a
 * failure must succeed. The sweep ends at the first N the path completes before reaching. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "alloc_sweep.h"

/* A small input per table: clean records, a duplicate, envelopes, bad lines. */
static const char pin_input[] =
    "{\"index\":1,\"unique_id\":\"u1\",\"title\":\"T\",\"description\":\"D\",\"poster_name\":\"P\","
    "\"follower_count\":\"26k\",\"tag_list\":\"a,b\",\"is_image_or_video\":\"image\","
    "\"image_src\":\"http://x\",\"downloaded\":1,\"save_location\":\"Local save in /data/x\","
    "\"category\":\"art\"}\n"
    "{\"records\":[{\"value\":{\"index\":2,\"follower_count\":\"7M\",\"category\":\"travel\","
    "\"title\":\"No Title Data Available\"}}]}\n"
    "{\"index\":1,\"follower_count\":\"12\",\"category\":\"art\"}\n"
    "not json\n"
    "{\"index\":\"12a\"}\n";
static const char geo_input[] =
    "{\"ind\":1,\"country\":\"Chad\",\"latitude\":1.5,\"longitude\":2,"
    "\"timestamp\":\"2020-01-01 00:00:00\"}\n"
    "{\"ind\":2,\"country\":\"Peru\",\"latitude\":\"x\",\"longitude\":3,"
    "\"timestamp\":\"2021-02-03 04:05:06\"}\n"
    "[1,2]\n";
static const char user_input[] =
    "{\"ind\":1,\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"age\":20,"
    "\"date_joined\":\"2015-10-24 11:23:51\"}\n"
    "{\"ind\":2,\"first_name\":\"Bo\",\"last_name\":\"Ng\",\"age\":\"41\","
    "\"date_joined\":\"2016-10-23 14:06:51\"}\n"
    "\xff\xfe\n";
static const char *const inputs[PINETL_TABLE_COUNT] = {pin_input, geo_input, user_input};
static char paths[PINETL_TABLE_COUNT][256];
static char db_path[256];

/* A path runs from scratch, frees everything it made, and returns 0 or an error code; it
 * appends a digest of its result (rendered text) to digest (alloc_sweep.h). */
#define DIGEST_CAP (1u << 20)

static void append(char *digest, size_t cap, const char *s, size_t len) {
    size_t have = strlen(digest);
    if (have + len >= cap) { /* the test's own buffer: a bigger result needs a bigger cap */
        fprintf(stderr, "digest over %zu bytes\n", cap);
        abort();
    }
    memcpy(digest + have, s, len);
    digest[have + len] = '\0';
}

static int path_batch(char *digest, size_t cap) {
    int rc = PINETL_OK;
    for (int t = 0; t < PINETL_TABLE_COUNT && !rc; t++) {
        pinetl_batch *b = NULL;
        const char *out;
        size_t len;
        char *json = NULL;
        pinetl_stats stats;
        rc = pinetl_batch_new(&b, (pinetl_table)t);
        if (!rc)
            rc = pinetl_batch_clean(b, inputs[t], strlen(inputs[t]), NULL);
        if (!rc && !(rc = pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0)))
            append(digest, cap, out, len);
        if (!rc && !(rc = pinetl_batch_render(&out, &len, b, PINETL_FORMAT_CSV, 1)))
            append(digest, cap, out, len);
        if (!rc && !(rc = pinetl_batch_render_rejects(&out, &len, b)))
            append(digest, cap, out, len);
        if (!rc) {
            pinetl_stats_init(&stats, (pinetl_table)t);
            pinetl_stats_add_batch(&stats, b);
            if (!(rc = pinetl_stats_to_json(&json, &stats)))
                append(digest, cap, json, strlen(json));
        }
        pinetl_free(json);
        pinetl_batch_free(b);
    }
    return rc;
}

static int path_reader(char *digest, size_t cap) {
    int rc = PINETL_OK;
    for (int t = 0; t < PINETL_TABLE_COUNT && !rc; t++) {
        const char *p[] = {paths[t], paths[t]};
        pinetl_reader_options ro;
        pinetl_reader_options_init(&ro, PINETL_READER_OPTIONS_VERSION);
        ro.threads = 2;
        ro.batch_bytes = 64; /* several batches in flight from a tiny input */
        ro.render_format = PINETL_FORMAT_JSONL;
        pinetl_reader *r = NULL;
        pinetl_batch *b;
        rc = pinetl_reader_open(&r, (pinetl_table)t, p, 2, &ro);
        while (!rc && (rc = pinetl_reader_step(&b, r)) == PINETL_BATCH) {
            const char *out;
            size_t len;
            rc = pinetl_batch_render(&out, &len, b, PINETL_FORMAT_JSONL, 0);
            if (!rc)
                append(digest, cap, out, len);
        }
        if (rc == PINETL_DONE)
            rc = PINETL_OK;
        pinetl_reader_free(r);
    }
    return rc;
}

static int path_insights(char *digest, size_t cap) {
    const char *p[PINETL_TABLE_COUNT][1] = {{paths[0]}, {paths[1]}, {paths[2]}};
    const char *const *pp[PINETL_TABLE_COUNT] = {p[0], p[1], p[2]};
    size_t np[PINETL_TABLE_COUNT] = {1, 1, 1};
    pinetl_dataset *ds = NULL;
    pinetl_insights *res = NULL;
    pinetl_dataset_report reports[PINETL_TABLE_COUNT];
    memset(reports, 0, sizeof reports);
    char *text = NULL;
    size_t len;
    int rc = pinetl_dataset_new(&ds);
    if (!rc)
        rc = pinetl_dataset_read_files(reports, ds, pp, np, NULL);
    if (!rc)
        rc = pinetl_insights_compute(&res, ds, NULL);
    if (!rc && !(rc = pinetl_insights_render(&text, &len, res, PINETL_INSIGHTS_JSON)))
        append(digest, cap, text, len);
    pinetl_free(text);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        pinetl_free(reports[t].notices);
        pinetl_free(reports[t].first_reject);
    }
    pinetl_insights_free(res);
    pinetl_dataset_free(ds);
    return rc;
}

static int path_warehouse(char *digest, size_t cap) {
    unlink(db_path);
    pinetl_warehouse *wh = NULL;
    pinetl_insights *res = NULL, *q = NULL;
    char *text = NULL;
    size_t len;
    int rc = pinetl_warehouse_open(&wh, db_path, 0);
    if (!rc)
        rc = pinetl_warehouse_begin(wh);
    for (int t = 0; t < PINETL_TABLE_COUNT && !rc; t++) {
        pinetl_batch *b = NULL;
        rc = pinetl_batch_new(&b, (pinetl_table)t);
        if (!rc)
            rc = pinetl_batch_clean(b, inputs[t], strlen(inputs[t]), NULL);
        if (!rc)
            rc = pinetl_warehouse_load(wh, b);
        pinetl_batch_free(b);
    }
    if (!rc)
        rc = pinetl_warehouse_commit(wh);
    if (!rc)
        rc = pinetl_warehouse_insights(&res, wh, NULL);
    if (!rc && !(rc = pinetl_insights_render(&text, &len, res, PINETL_INSIGHTS_CSV)))
        append(digest, cap, text, len);
    pinetl_free(text);
    text = NULL;
    /* The SQL functions, through the connection that registered them. */
    if (!rc)
        rc = pinetl_warehouse_query(
            &q, wh,
            "SELECT pinetl_follower_count('26k'), pinetl_timestamp('2020-08-28 03:52:47+01:00'),"
            " pinetl_age_group(42), pinetl_key('7'), pinetl_save_location('Local save in /a'),"
            " (SELECT pinetl_median(follower_count) FROM pin),"
            " (SELECT pinetl_median_interpolated(follower_count) FROM pin)",
            "functions");
    if (!rc && !(rc = pinetl_insights_render(&text, &len, q, PINETL_INSIGHTS_CSV)))
        append(digest, cap, text, len);
    pinetl_free(text);
    pinetl_insights_free(q);
    pinetl_insights_free(res);
    pinetl_warehouse_free(wh);
    return rc;
}

/* An S3 sink folder (enough objects that the listing grows, one file outside the layout), read
 * with dictionary-encoded categories and rendered to CSV ahead by the workers; the run summary
 * as text. The digest holds each row's category however it arrived (a code or, if a dictionary
 * gave up, the batch's text), so a dictionary that gives up on a failed allocation is allowed. */
static char s3_dir[256];

static int path_s3_sink_and_text_codes(char *digest, size_t cap) {
    const char *p[] = {s3_dir};
    pinetl_reader_options ro;
    pinetl_reader_options_init(&ro, PINETL_READER_OPTIONS_VERSION);
    ro.threads = 1;
    ro.batch_bytes = 256;
    ro.render_format = PINETL_FORMAT_CSV;
    ro.render_header = 1;
    ro.dict_columns = 1u << PINETL_PIN_CATEGORY;
    pinetl_reader *r = NULL;
    pinetl_batch *b;
    char *dict[64] = {0}; /* the test's own copies of the texts, by code */
    int rc = pinetl_reader_open(&r, PINETL_TABLE_PIN, p, 1, &ro);
    if (!rc) {
        const char *notes = pinetl_reader_notices(r);
        append(digest, cap, notes, strlen(notes));
    }
    while (!rc && (rc = pinetl_reader_step(&b, r)) == PINETL_BATCH) {
        const char *out;
        size_t len;
        pinetl_text_codes tc;
        rc = pinetl_batch_render(&out, &len, b, PINETL_FORMAT_CSV, 1);
        if (!rc) {
            append(digest, cap, out, len);
            rc = pinetl_reader_text_codes(&tc, r, PINETL_PIN_CATEGORY);
        }
        if (rc)
            break;
        for (size_t i = 0; tc.codes && tc.dict == 0 && i < tc.new_count; i++)
            if (tc.first_new + i < 64)
                dict[tc.first_new + i] = strdup(tc.new_data + tc.new_offsets[i]);
        const char *text = pinetl_batch_text_data(b, PINETL_PIN_CATEGORY);
        const int64_t *offs = pinetl_batch_text_offsets(b, PINETL_PIN_CATEGORY);
        for (size_t i = 0; i < pinetl_batch_rows(b); i++) {
            if (tc.codes && tc.codes[i] >= 0 && tc.codes[i] < 64 && dict[tc.codes[i]])
                append(digest, cap, dict[tc.codes[i]], strlen(dict[tc.codes[i]]));
            else if (!tc.codes)
                append(digest, cap, text + offs[i], (size_t)(offs[i + 1] - offs[i]));
            append(digest, cap, "\n", 1);
        }
    }
    if (rc == PINETL_DONE) {
        pinetl_stats st;
        char *summary = NULL;
        pinetl_reader_stats(&st, r);
        if (!(rc = pinetl_stats_to_text(&summary, &st)))
            append(digest, cap, summary, strlen(summary));
        pinetl_free(summary);
    }
    for (int i = 0; i < 64; i++)
        free(dict[i]);
    pinetl_reader_free(r);
    return rc;
}

/* The insights of an in-memory dataset rendered as aligned tables and as CSV, and a text
 * dictionary built from a batch's texts. */
static int path_results_and_text_dict(char *digest, size_t cap) {
    pinetl_dataset *ds = NULL;
    pinetl_insights *res = NULL;
    pinetl_text_dict *d = NULL;
    char *text = NULL;
    size_t len;
    int rc = pinetl_dataset_new(&ds);
    for (int t = 0; t < PINETL_TABLE_COUNT && !rc; t++) {
        pinetl_batch *b = NULL;
        rc = pinetl_batch_new(&b, (pinetl_table)t);
        if (!rc)
            rc = pinetl_batch_clean(b, inputs[t], strlen(inputs[t]), NULL);
        if (!rc)
            rc = pinetl_dataset_add(ds, b);
        if (!rc && t == PINETL_TABLE_PIN) {
            int32_t codes[16];
            size_t n = pinetl_batch_rows(b);
            rc = pinetl_text_dict_new(&d);
            if (!rc && n <= 16)
                rc = pinetl_text_dict_encode(codes, d,
                                             pinetl_batch_text_data(b, PINETL_PIN_CATEGORY),
                                             pinetl_batch_text_offsets(b, PINETL_PIN_CATEGORY),
                                             pinetl_batch_validity(b, PINETL_PIN_CATEGORY), n);
            if (!rc) {
                char line[64];
                snprintf(line, sizeof line, "%zu texts\n", pinetl_text_dict_count(d));
                append(digest, cap, line, strlen(line));
                append(digest, cap, pinetl_text_dict_data(d),
                       (size_t)pinetl_text_dict_offsets(d)[pinetl_text_dict_count(d)]);
            }
        }
        pinetl_batch_free(b);
    }
    if (!rc)
        rc = pinetl_insights_compute(&res, ds, NULL);
    if (!rc && !(rc = pinetl_insights_render(&text, &len, res, PINETL_INSIGHTS_TABLE)))
        append(digest, cap, text, len);
    pinetl_free(text);
    text = NULL;
    if (!rc && !(rc = pinetl_insights_render(&text, &len, res, PINETL_INSIGHTS_CSV)))
        append(digest, cap, text, len);
    pinetl_free(text);
    pinetl_text_dict_free(d);
    pinetl_insights_free(res);
    pinetl_dataset_free(ds);
    return rc;
}

/* Every insight's SQL in every dialect (pinetl_insight_sql), with the tables renamed. */
static int path_insight_sql(char *digest, size_t cap) {
    static const char *const tables[PINETL_TABLE_COUNT] = {"db.pins", "geos", "users"};
    int rc = PINETL_OK;
    for (int i = 0; !rc && i < PINETL_INSIGHT_COUNT; i++)
        for (int d = PINETL_SQL_SQLITE; !rc && d <= PINETL_SQL_SPARK; d++) {
            char *sql = NULL;
            rc = pinetl_insight_sql(&sql, i, d, PINETL_MEDIAN_INTERPOLATED, tables);
            if (!rc)
                append(digest, cap, sql, strlen(sql));
            pinetl_free(sql);
        }
    return rc;
}

static void sweep(const char *name, alloc_sweep_path fn) {
    alloc_sweep(name, fn, DIGEST_CAP, ALLOC_SWEEP_MESSAGE);
}

/* The S3 sink layout's names and listing (s3sink.h) and the daily ledger (daily_ledger.h). */
static int path_layout_and_ledger(char *digest, size_t cap) {
    char *s = NULL;
    int rc = pinetl_s3sink_object_name(&s, "t.pin", 0, 7);
    if (!rc) {
        append(digest, cap, s, strlen(s));
        pinetl_free(s);
        rc = pinetl_s3sink_partition_dir(&s, "t.pin", 0);
    }
    if (!rc) {
        append(digest, cap, s, strlen(s));
        pinetl_free(s);
        rc = pinetl_s3sink_table_glob(&s, PINETL_TABLE_GEO, 1);
    }
    if (!rc) {
        append(digest, cap, s, strlen(s));
        pinetl_free(s);
    }
    pinetl_s3sink_objects *objs = NULL;
    if (!rc && !(rc = pinetl_s3sink_list(&objs, s3_dir, PINETL_TABLE_PIN))) {
        for (size_t i = 0; i < pinetl_s3sink_objects_count(objs); i++) {
            const char *path = pinetl_s3sink_objects_path(objs, i);
            append(digest, cap, path, strlen(path));
        }
        const char *notes = pinetl_s3sink_objects_notices(objs);
        append(digest, cap, notes, strlen(notes));
        pinetl_s3sink_objects_free(objs);
    }
    pinetl_warehouse *wh = NULL;
    if (!rc)
        rc = pinetl_warehouse_open(&wh, ":memory:", 0);
    pinetl_daily_load l = {"2024-01-01", PINETL_TABLE_PIN, "f", 1, 2, 3, 2, 1, 2, "{\"a\":1}"};
    if (!rc)
        rc = pinetl_warehouse_daily_load_put(wh, &l);
    if (!rc && !(rc = pinetl_warehouse_daily_loads(&s, wh, NULL, NULL))) {
        append(digest, cap, s, strlen(s));
        pinetl_free(s);
    }
    pinetl_warehouse_free(wh);
    return rc;
}

static void test_batch_paths(void) { sweep("batch", path_batch); }
static void test_reader_paths(void) { sweep("reader", path_reader); }
static void test_dataset_and_insights_paths(void) { sweep("insights", path_insights); }
static void test_warehouse_and_sql_function_paths(void) { sweep("warehouse", path_warehouse); }
static void test_s3_sink_reader_and_text_code_paths(void) {
    sweep("s3-sink", path_s3_sink_and_text_codes);
}
static void test_insight_sql_paths(void) { sweep("insight-sql", path_insight_sql); }
static void test_result_render_and_text_dict_paths(void) {
    sweep("results", path_results_and_text_dict);
}
static void test_s3_sink_layout_and_daily_ledger_paths(void) {
    sweep("layout-ledger", path_layout_and_ledger);
}

int main(void) {
    /* In memory when the machine has /dev/shm: the warehouse path syncs its files on each run. */
    char dir[] = "/dev/shm/pinetl-allocXXXXXX";
    if (!mkdtemp(dir)) {
        memcpy(dir, "/tmp/pinetl-allocXXXXXX", sizeof "/tmp/pinetl-allocXXXXXX");
        if (!mkdtemp(dir))
            return 2;
    }
    for (int t = 0; t < PINETL_TABLE_COUNT; t++) {
        snprintf(paths[t], sizeof paths[t], "%s/%s.jsonl", dir, pinetl_table_name((pinetl_table)t));
        FILE *f = fopen(paths[t], "w");
        if (!f || fputs(inputs[t], f) < 0 || fclose(f))
            return 2;
    }
    snprintf(db_path, sizeof db_path, "%s/w.db", dir);
    /* An S3 sink landing (s3/topics/...): 20 objects of one partition, one file outside the layout. */
    char part[300], obj[400];
    snprintf(s3_dir, sizeof s3_dir, "%s/s3", dir); /* a landing folder holding topics/ */
    snprintf(part, sizeof part, "%s/s3/topics", dir);
    if (mkdir(s3_dir, 0755) || mkdir(part, 0755))
        return 2;
    snprintf(part, sizeof part, "%s/s3/topics/t.pin", dir);
    if (mkdir(part, 0755))
        return 2;
    snprintf(part, sizeof part, "%s/s3/topics/t.pin/partition=0", dir);
    if (mkdir(part, 0755))
        return 2;
    for (int i = 0; i < 20; i++) {
        snprintf(obj, sizeof obj, "%s/t.pin+0+%d.json", part, i * 3);
        FILE *f = fopen(obj, "w");
        if (!f ||
            fprintf(f, "{\"index\":%d,\"category\":\"c%d\",\"title\":\"t\"}\n", i, i % 4) < 0 ||
            fclose(f))
            return 2;
    }
    snprintf(obj, sizeof obj, "%s/notes.txt", part);
    FILE *nf = fopen(obj, "w");
    if (!nf || fclose(nf))
        return 2;
    RUN(test_batch_paths);
    RUN(test_reader_paths);
    RUN(test_dataset_and_insights_paths);
    RUN(test_warehouse_and_sql_function_paths);
    RUN(test_s3_sink_reader_and_text_code_paths);
    RUN(test_result_render_and_text_dict_paths);
    RUN(test_s3_sink_layout_and_daily_ledger_paths);
    RUN(test_insight_sql_paths);
    for (int t = 0; t < PINETL_TABLE_COUNT; t++)
        unlink(paths[t]);
    char side[300];
    unlink(db_path);
    snprintf(side, sizeof side, "%s-wal", db_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", db_path);
    unlink(side);
    for (int i = 0; i < 20; i++) {
        snprintf(obj, sizeof obj, "%s/t.pin+0+%d.json", part, i * 3);
        unlink(obj);
    }
    snprintf(obj, sizeof obj, "%s/notes.txt", part);
    unlink(obj);
    rmdir(part);
    snprintf(part, sizeof part, "%s/s3/topics/t.pin", dir);
    rmdir(part);
    snprintf(part, sizeof part, "%s/s3/topics", dir);
    rmdir(part);
    rmdir(s3_dir);
    rmdir(dir);
    return check_done();
}
