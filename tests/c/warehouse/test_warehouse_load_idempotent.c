/* Loading the warehouse: typed tables with one row per ind, rejects with their positions, WAL
 * mode, and reloading the same inputs changes nothing. */
#include <unistd.h>

#include "fixtures.h"

static const char pin_text[] =
    "{\"index\": 1, \"unique_id\": \"u1\", \"title\": \"T\", \"follower_count\": \"1.5k\","
    " \"poster_name\": \"Ann\", \"save_location\": \"Local save in /data/art\", \"category\": \"art\"}\n"
    "{\"index\": 2, \"title\": \"No Title Data Available\", \"follower_count\": \"User Info Error\"}\n"
    "{\"index\": 1, \"unique_id\": \"u1\", \"title\": \"T2\", \"follower_count\": \"2k\","
    " \"category\": \"art\"}\n"
    "{\"index\": \"bad\"}\n"
    "[1, 2]\n"
    "{\"index\": 3, \"title\": \"caf\xc3\xa9\"}\n";
static const char geo_text[] =
    "{\"ind\": 1, \"timestamp\": \"2020-08-28 03:52:47\", \"latitude\": -89.9787,"
    " \"longitude\": -173.293, \"country\": \"Albania\"}\n"
    "{\"ind\": 2, \"timestamp\": \"2020-08-28T03:52:47.5+01:00\", \"latitude\": 1,"
    " \"country\": \"Chad\"}\n";
static const char user_text[] =
    "{\"ind\": 1, \"first_name\": \"Ann\", \"last_name\": \"Li\", \"age\": \"20\","
    " \"date_joined\": \"2015-10-24 11:23:51\"}\n"
    "{\"ind\": 2, \"age\": 151}\n";

static char *dump(pinetl_warehouse *wh) {
    static const char *const sql[] = {
        "SELECT * FROM pin ORDER BY ind",
        "SELECT *, typeof(follower_count) FROM pin ORDER BY ind",
        "SELECT *, typeof(latitude) FROM geo ORDER BY ind",
        "SELECT *, typeof(age) FROM user ORDER BY ind",
        "SELECT \"table\", source, line, \"offset\", reason, message, raw, typeof(raw) FROM rejects"
        " ORDER BY 1, 2, 3, 4",
    };
    size_t len = 0;
    char *all = calloc(1, 1);
    for (size_t i = 0; all && i < sizeof sql / sizeof sql[0]; i++) {
        pinetl_insights *r = NULL;
        if (pinetl_warehouse_query(&r, wh, sql[i], "dump")) {
            fprintf(stderr, "%s: %s\n", sql[i], pinetl_error_last());
            free(all);
            return NULL;
        }
        char *s = fx_rows(r);
        pinetl_insights_free(r);
        size_t n = s ? strlen(s) : 0;
        char *t = realloc(all, len + n + 2);
        if (!t || !s) {
            free(t ? t : all);
            free(s);
            return NULL;
        }
        all = t;
        memcpy(all + len, s, n);
        len += n;
        all[len++] = '\n';
        all[len] = '\0';
        free(s);
    }
    return all;
}

static int load_all(pinetl_warehouse *wh) {
    fx_data d = {pin_text, geo_text, user_text};
    return fx_each_batch(&d, fx_load, wh);
}

static void test_load_and_reload(void) {
    char dir[] = "/tmp/pinetl-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/w.db", dir);
    pinetl_warehouse *wh;
    CHECK_INT(pinetl_warehouse_open(&wh, path, 0), 0);
    CHECK_INT(load_all(wh), 0);
    pinetl_load_stats st;
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.rows, 8);    /* 4 pin + 2 geo + 2 user cleaned rows... */
    CHECK_INT(st.written, 7); /* ...ind 1 twice in the batch: only its last version */
    CHECK_INT(st.rejects, 2);
    CHECK_INT(st.rejects_written, 2);
    int64_t n;
    CHECK_INT(pinetl_warehouse_count(&n, wh, "pin"), 0);
    CHECK_INT(n, 3);
    CHECK_INT(pinetl_warehouse_count(&n, wh, "rejects"), 0);
    CHECK_INT(n, 2);
    CHECK_INT(pinetl_warehouse_count(&n, wh, "nope"), PINETL_ENOTFOUND);
    char *before = dump(wh);
    CHECK(before != NULL);
    /* Typed values: the later ind 1 won; sentinels are NULL; coordinates are two REALs; the
     * timestamps are in the spec's output form (converted to UTC). */
    CHECK(before && strstr(before, "1|u1|T2|NULL|2000|NULL|NULL|NULL|NULL|NULL|art\n"));
    CHECK(before && strstr(before, "2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|null\n"));
    CHECK(before && strstr(before, "1|Albania|-89.978700000000003r|-173.29300000000001r|"
                                   "2020-08-28T03:52:47Z|real\n"));
    CHECK(before && strstr(before, "2|Chad|NULL|NULL|2020-08-28T02:52:47.500000Z|null\n"));
    CHECK(before && strstr(before, "1|Ann Li|20|2015-10-24T11:23:51Z|integer\n"));
    CHECK(before && strstr(before, "2|NULL|NULL|NULL|null\n"));
    CHECK(before && strstr(before, "pin|<test>|4|"));
    CHECK(before && strstr(before, "|bad_key|"));
    CHECK(before && strstr(before, "|not_an_object|"));

    /* The same inputs again, by the same handle and by a new one: nothing changes. */
    CHECK_INT(load_all(wh), 0);
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.rows, 16);
    CHECK_INT(st.written, 7);
    CHECK_INT(st.rejects_written, 2);
    pinetl_warehouse_free(wh);
    CHECK_INT(pinetl_warehouse_open(&wh, path, 0), 0);
    CHECK_INT(load_all(wh), 0);
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.rows, 8);
    CHECK_INT(st.written, 0);
    CHECK_INT(st.rejects_written, 0);
    char *after = dump(wh);
    CHECK(before && after && !strcmp(before, after));

    /* WAL mode, and a changed record is a write. */
    pinetl_insights *r = NULL;
    CHECK_INT(pinetl_warehouse_query(&r, wh, "PRAGMA journal_mode", "q"), 0);
    CHECK_STR(pinetl_insights_text(r, 0, 0, 0, NULL), "wal");
    pinetl_insights_free(r);
    pinetl_batch *b = fx_batch(PINETL_TABLE_USER, "{\"ind\": 2, \"age\": 40}\n");
    CHECK_INT(pinetl_warehouse_load(wh, b), 0);
    pinetl_warehouse_load_stats(&st, wh);
    CHECK_INT(st.written, 1);
    pinetl_batch_free(b);
    pinetl_warehouse_free(wh);

    /* Read-only handles read but never write. */
    CHECK_INT(pinetl_warehouse_open(&wh, path, PINETL_WAREHOUSE_READONLY), 0);
    CHECK_INT(pinetl_warehouse_count(&n, wh, "user"), 0);
    CHECK_INT(n, 2);
    b = fx_batch(PINETL_TABLE_USER, "{\"ind\": 5}\n");
    CHECK_INT(pinetl_warehouse_load(wh, b), PINETL_EINVAL);
    pinetl_batch_free(b);
    pinetl_warehouse_free(wh);
    char missing[80];
    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    CHECK(pinetl_warehouse_open(&wh, missing, PINETL_WAREHOUSE_READONLY) < 0);
    CHECK(strstr(pinetl_error_last(), "missing.db") != NULL);
    pinetl_warehouse_free(NULL);

    free(before);
    free(after);
    char f[96];
    const char *suffix[] = {"w.db", "w.db-wal", "w.db-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s/%s", dir, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
}

int main(void) {
    RUN(test_load_and_reload);
    return check_done();
}
