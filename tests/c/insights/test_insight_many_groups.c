/* Insights over large dictionaries: 1,100 countries x 1,100 categories are more (group, category)
 * cells than the in-memory counting arrays take, so the counts go through the hash map path; the
 * rows still equal the warehouse's, ties kept, in byte order. */
#include "fixtures.h"
#include "gen_data.h"

enum { GROUPS = 1100, PER_GROUP = 3 };

static void test_many_countries_and_categories(void) {
    char *pin = NULL, *geo = NULL, *user = NULL;
    size_t lp = 0, lg = 0, lu = 0, cp = 0, cg = 0, cu = 0;
    for (unsigned i = 0; i < GROUPS * PER_GROUP; i++) {
        /* Country i % GROUPS gets PER_GROUP pins of distinct categories: a tie of PER_GROUP. */
        gen_printf(&pin, &lp, &cp,
                   "{\"index\": %u, \"category\": \"cat%04u\", \"poster_name\": \"p%u\","
                   " \"follower_count\": %u}\n",
                   i, (i * 7 + i / GROUPS) % GROUPS, i % 13, i % 50);
        gen_printf(
            &geo, &lg, &cg,
            "{\"ind\": %u, \"country\": \"country%04u\", \"timestamp\": \"20%u-05-01 00:00:00\"}\n",
            i, i % GROUPS, 17 + i % 6);
        gen_printf(&user, &lu, &cu,
                   "{\"ind\": %u, \"first_name\": \"u%u\", \"age\": %u,"
                   " \"date_joined\": \"20%u-01-01 00:00:00\"}\n",
                   i, i % 97, 15 + i % 60, 14 + i % 8);
    }
    fx_data d = {pin, geo, user};
    const char *name = "top_category_by_country";
    pinetl_insights *m = fx_memory(&d, name, PINETL_MEDIAN_APPROX);
    pinetl_insights *w = fx_warehouse(&d, name, PINETL_MEDIAN_APPROX);
    CHECK(m && w);
    CHECK_INT(pinetl_insights_rows(m, 0), GROUPS * PER_GROUP);
    char *why = NULL;
    CHECK(pinetl_insights_equal(&why, m, w));
    if (why) {
        fprintf(stderr, "  %s\n", why);
        pinetl_free(why);
    }
    pinetl_insights_free(m);
    pinetl_insights_free(w);
    /* Every insight, both medians. */
    for (int median = 0; median < 2; median++) {
        m = fx_memory(&d, NULL, median);
        w = fx_warehouse(&d, NULL, median);
        CHECK(m && w);
        CHECK(pinetl_insights_equal(&why, m, w));
        if (why) {
            fprintf(stderr, "  median %d: %s\n", median, why);
            pinetl_free(why);
        }
        for (size_t t = 0; m && t < pinetl_insights_count(m); t++)
            CHECK(pinetl_insights_rows(m, t) > 0);
        pinetl_insights_free(m);
        pinetl_insights_free(w);
    }
    free(pin);
    free(geo);
    free(user);
}

int main(void) {
    RUN(test_many_countries_and_categories);
    return check_done();
}
