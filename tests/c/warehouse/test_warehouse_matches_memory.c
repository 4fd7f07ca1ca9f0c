/* The warehouse (SQL views over SQLite tables) and the in-memory insights give the same rows, in
 * the same order, with the same types, on the real sample and on generated data full of ties,
 * duplicates and nulls, with both medians; each view equals its insight. */
#include "fixtures.h"
#include "gen_data.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static void compare(const fx_data *d, const char *label) {
    pinetl_dataset *ds;
    pinetl_warehouse *wh;
    CHECK_INT(pinetl_dataset_new(&ds), 0);
    CHECK_INT(pinetl_warehouse_open(&wh, ":memory:", 0), 0);
    CHECK_INT(fx_each_batch(d, fx_add, ds), 0);
    CHECK_INT(fx_each_batch(d, fx_load, wh), 0);
    size_t total_rows = 0;
    for (int median = 0; median < 2; median++) {
        pinetl_insights_options o = fx_options(NULL, 0, median);
        pinetl_insights *m = NULL, *w = NULL;
        CHECK_INT(pinetl_insights_compute(&m, ds, &o), 0);
        CHECK_INT(pinetl_warehouse_insights(&w, wh, &o), 0);
        char *why = NULL;
        CHECK(pinetl_insights_equal(&why, m, w));
        if (why) {
            fprintf(stderr, "  %s, median %d: %s\n", label, median, why);
            pinetl_free(why);
        }
        for (size_t t = 0; t < pinetl_insights_count(m); t++)
            total_rows += pinetl_insights_rows(m, t);
        pinetl_insights_free(m);
        pinetl_insights_free(w);
    }
    CHECK(total_rows > 20); /* the data exercises every insight, not empty tables */
    /* Each view gives its insight's rows. */
    for (int i = 0; i < PINETL_INSIGHT_COUNT; i++) {
        const char *name = pinetl_insight_name(i);
        pinetl_insights_options o = fx_options(&name, 1, PINETL_MEDIAN_APPROX);
        pinetl_insights *m = NULL, *v = NULL;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s", name);
        CHECK_INT(pinetl_insights_compute(&m, ds, &o), 0);
        CHECK_INT(pinetl_warehouse_query(&v, wh, sql, name), 0);
        char *why = NULL;
        CHECK(pinetl_insights_equal(&why, m, v));
        if (why) {
            fprintf(stderr, "  %s, view: %s\n", label, why);
            pinetl_free(why);
        }
        CHECK(pinetl_insights_rows(m, 0) > 0);
        pinetl_insights_free(m);
        pinetl_insights_free(v);
    }
    pinetl_warehouse_free(wh);
    pinetl_dataset_free(ds);
}

static void test_real_sample(void) {
    char *pin = read_file("tests/data/real-sample/pin.jsonl");
    char *geo = read_file("tests/data/real-sample/geo.jsonl");
    char *user = read_file("tests/data/real-sample/user.jsonl");
    CHECK(pin && geo && user);
    if (pin && geo && user) {
        fx_data d = {pin, geo, user};
        compare(&d, "real sample");
    }
    free(pin);
    free(geo);
    free(user);
}

static void test_generated(void) {
    for (uint64_t seed = 1; seed <= 5; seed++) {
        char *pin, *geo, *user;
        gen_tables(seed * 0x9E3779B97F4A7C15ULL, 600 * seed, &pin, &geo, &user);
        fx_data d = {pin, geo, user};
        char label[32];
        snprintf(label, sizeof label, "seed %u", (unsigned)seed);
        compare(&d, label);
        free(pin);
        free(geo);
        free(user);
    }
}

int main(void) {
    RUN(test_real_sample);
    RUN(test_generated);
    return check_done();
}
