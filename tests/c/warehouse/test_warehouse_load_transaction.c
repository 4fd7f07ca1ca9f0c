/* Load transactions (pinetl_warehouse_begin / commit): rows staged across batches and tables
 * store exactly what one transaction per batch stores (the last version of each ind wins); the
 * database is back in WAL mode after a commit; a failure, or freeing without a commit, undoes the
 * whole transaction and its counts; misuse is refused. */
#include <unistd.h>

#include "fixtures.h"
#include "gen_data.h"

static char dir[] = "/tmp/pinetl-txn-XXXXXX";

static const char *db_path(const char *name) {
    static char path[96];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Every table's rows (ordered by ind) and the rejects, as text. */
static char *dump(pinetl_warehouse *wh) {
    static const char *const sql[] = {
        "SELECT * FROM pin ORDER BY ind",
        "SELECT * FROM geo ORDER BY ind",
        "SELECT * FROM user ORDER BY ind",
        "SELECT \"table\", source, line, \"offset\", reason, message, raw FROM rejects ORDER BY 1, 2, 3, 4",
    };
    size_t len = 0;
    char *all = calloc(1, 1);
    for (size_t i = 0; all && i < sizeof sql / sizeof sql[0]; i++) {
        pinetl_insights *r = NULL;
        char *s = pinetl_warehouse_query(&r, wh, sql[i], "dump") ? NULL : fx_rows(r);
        pinetl_insights_free(r);
        char *t = s ? realloc(all, len + strlen(s) + 1) : NULL;
        if (!t) {
            free(s);
            free(all);
            return NULL;
        }
        all = t;
        memcpy(all + len, s, strlen(s) + 1);
        len += strlen(s);
        free(s);
    }
    return all;
}

static const char *journal(pinetl_warehouse *wh) {
    static char mode[16];
    pinetl_insights *r = NULL;
    mode[0] = '\0';
    if (!pinetl_warehouse_query(&r, wh, "PRAGMA journal_mode", "q"))
        snprintf(mode, sizeof mode, "%s", pinetl_insights_text(r, 0, 0, 0, NULL));
    pinetl_insights_free(r);
    return mode;
}

/* Generated tables (many repeated inds, rejects), cut into small batches of 50 lines. */
typedef struct batches {
    pinetl_batch **b;
    size_t n;
} batches;

static batches cut(uint64_t seed, size_t records) {
    char *text[3];
    gen_tables(seed, records, &text[0], &text[1], &text[2]);
    batches out = {calloc(3 * (records / 50 + 2), sizeof(pinetl_batch *)), 0};
    for (int t = 0; t < 3; t++) {
        char *p = text[t];
        while (*p && out.b) {
            char *end = p;
            for (int lines = 0; *end && lines < 50; lines++)
                end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
            char saved = *end;
            *end = '\0';
            out.b[out.n++] = fx_batch((pinetl_table)t, p);
            *end = saved;
            p = end;
        }
        free(text[t]);
    }
    return out;
}

static void free_batches(batches *bs) {
    for (size_t i = 0; i < bs->n; i++)
        pinetl_batch_free(bs->b[i]);
    free(bs->b);
}

static void test_same_as_per_batch(void) {
    batches bs = cut(11, 3000);
    CHECK(bs.n > 100);
    pinetl_warehouse *a, *b;
    CHECK_INT(pinetl_warehouse_open(&a, db_path("per-batch.db"), 0), 0);
    CHECK_INT(pinetl_warehouse_open(&b, db_path("one-txn.db"), 0), 0);
    for (size_t i = 0; i < bs.n; i++)
        CHECK_INT(pinetl_warehouse_load(a, bs.b[i]), 0);
    /* pin, geo and user batches in one transaction: the stage switches tables. */
    CHECK_INT(pinetl_warehouse_begin(b), 0);
    for (size_t i = 0; i < bs.n; i++)
        CHECK_INT(pinetl_warehouse_load(b, bs.b[i]), 0);
    CHECK_STR(journal(b), "delete"); /* a bulk load writes each new page once */
    CHECK_INT(pinetl_warehouse_commit(b), 0);
    CHECK_STR(journal(b), "wal");
    char *da = dump(a), *db = dump(b);
    CHECK(da && db && strlen(da) > 1000 && !strcmp(da, db));
    pinetl_load_stats sa, sb;
    pinetl_warehouse_load_stats(&sa, a);
    pinetl_warehouse_load_stats(&sb, b);
    CHECK_INT(sb.rows, sa.rows);
    CHECK_INT(sb.rejects, sa.rejects);
    CHECK_INT(sb.rejects_written, sa.rejects_written);
    /* Rows stored once per ind: a repeat across batches is not a second write. */
    int64_t n = 0, total = 0;
    for (int t = 0; t < 3; t++) {
        CHECK_INT(pinetl_warehouse_count(&n, b, pinetl_table_name((pinetl_table)t)), 0);
        total += n;
    }
    CHECK_INT(sb.written, total);
    CHECK(sa.written >= sb.written);

    /* Loading everything again in a transaction changes nothing. */
    CHECK_INT(pinetl_warehouse_begin(b), 0);
    for (size_t i = 0; i < bs.n; i++)
        CHECK_INT(pinetl_warehouse_load(b, bs.b[i]), 0);
    CHECK_INT(pinetl_warehouse_commit(b), 0);
    pinetl_load_stats again;
    pinetl_warehouse_load_stats(&again, b);
    CHECK_INT(again.written, sb.written);
    CHECK_INT(again.rejects_written, sb.rejects_written);
    char *db2 = dump(b);
    CHECK(db && db2 && !strcmp(db, db2));
    free(da);
    free(db);
    free(db2);
    pinetl_warehouse_free(a);
    pinetl_warehouse_free(b);
    free_batches(&bs);
}

static void test_failure_undoes_all(void) {
    pinetl_warehouse *wh;
    CHECK_INT(pinetl_warehouse_open(&wh, db_path("fail.db"), 0), 0);
    pinetl_insights *r = NULL;
    CHECK_INT(pinetl_warehouse_query(&r, wh,
                                     "CREATE TRIGGER boom BEFORE INSERT ON pin WHEN NEW.ind = 666"
                                     " BEGIN SELECT RAISE(ABORT, 'ind 666 refused'); END",
                                     "q"),
              0);
    pinetl_insights_free(r);
    pinetl_batch *ok = fx_batch(PINETL_TABLE_PIN, "{\"index\": 1}\n{\"index\": 2}\n{\"x\": 0}\n");
    pinetl_batch *bad = fx_batch(PINETL_TABLE_PIN, "{\"index\": 666}\n");
    CHECK_INT(pinetl_warehouse_load(wh, ok), 0); /* committed: stays */
    pinetl_load_stats before, after;
    pinetl_warehouse_load_stats(&before, wh);

    CHECK_INT(pinetl_warehouse_begin(wh), 0);
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_load(wh, ok), 0);
    CHECK_INT(pinetl_warehouse_load(wh, bad), 0); /* staged: written at commit */
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_ESQL);
    CHECK(strstr(pinetl_error_last(), "ind 666 refused") != NULL);
    CHECK(strstr(pinetl_error_last(), "the load transaction was rolled back") != NULL);
    pinetl_warehouse_load_stats(&after, wh);
    CHECK_INT(after.rows, before.rows);
    CHECK_INT(after.written, before.written);
    CHECK_INT(after.rejects, before.rejects);
    CHECK_INT(pinetl_warehouse_commit(wh), PINETL_EINVAL); /* nothing open any more */
    CHECK_STR(journal(wh), "wal");
    int64_t n = 0;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "pin"), 0);
    CHECK_INT(n, 2);

    /* Freed without a commit: undone too, and the database is in WAL mode again. */
    pinetl_batch *more = fx_batch(PINETL_TABLE_PIN, "{\"index\": 3}\n");
    CHECK_INT(pinetl_warehouse_begin(wh), 0);
    CHECK_INT(pinetl_warehouse_load(wh, more), 0);
    pinetl_warehouse_free(wh);
    CHECK_INT(pinetl_warehouse_open(&wh, db_path("fail.db"), PINETL_WAREHOUSE_READONLY), 0);
    CHECK_INT(pinetl_warehouse_count(&n, wh, "pin"), 0);
    CHECK_INT(n, 2);
    CHECK_STR(journal(wh), "wal");
    CHECK_INT(pinetl_warehouse_begin(wh), PINETL_EINVAL); /* read-only */
    pinetl_warehouse_free(wh);
    CHECK_INT(pinetl_warehouse_begin(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_warehouse_commit(NULL), PINETL_EINVAL);
    pinetl_batch_free(ok);
    pinetl_batch_free(bad);
    pinetl_batch_free(more);
}

/* Another connection keeps the journal in WAL mode: the load still works, in WAL. */
static void test_other_connection(void) {
    pinetl_warehouse *wh, *reader;
    CHECK_INT(pinetl_warehouse_open(&wh, db_path("shared.db"), 0), 0);
    CHECK_INT(pinetl_warehouse_open(&reader, db_path("shared.db"), PINETL_WAREHOUSE_READONLY), 0);
    int64_t n = -1;
    CHECK_INT(pinetl_warehouse_count(&n, reader, "pin"), 0); /* the reader has the file open */
    pinetl_batch *b = fx_batch(
        PINETL_TABLE_PIN, "{\"index\": 5}\n{\"index\": 4}\n{\"index\": 5, \"title\": \"t\"}\n");
    CHECK_INT(pinetl_warehouse_begin(wh), 0);
    CHECK_STR(journal(wh), "wal");
    CHECK_INT(pinetl_warehouse_load(wh, b), 0);
    CHECK_INT(pinetl_warehouse_commit(wh), 0);
    CHECK_INT(pinetl_warehouse_count(&n, reader, "pin"), 0);
    CHECK_INT(n, 2);
    pinetl_insights *r = NULL;
    CHECK_INT(pinetl_warehouse_query(&r, reader, "SELECT title FROM pin WHERE ind = 5", "q"), 0);
    CHECK_STR(pinetl_insights_text(r, 0, 0, 0, NULL), "t");
    pinetl_insights_free(r);
    pinetl_batch_free(b);
    pinetl_warehouse_free(reader);
    pinetl_warehouse_free(wh);
}

int main(void) {
    CHECK(mkdtemp(dir) != NULL);
    RUN(test_same_as_per_batch);
    RUN(test_failure_undoes_all);
    RUN(test_other_connection);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    return check_done();
}
