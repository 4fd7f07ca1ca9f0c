#include "catalog.h"

#include <string.h>

#include "core/batch_internal.h"
#include "util/error.h"

enum { PIN = 1u << PINETL_TABLE_PIN, GEO = 1u << PINETL_TABLE_GEO, USER = 1u << PINETL_TABLE_USER };

const insight_info pinetl__catalog_insights[PINETL_INSIGHT_COUNT] = {
    {"top_category_by_country", 3, {"country", "category", "category_count"}, PIN | GEO},
    {"top_category_by_year", 3, {"post_year", "category", "category_count"}, PIN | GEO},
    {"top_user_by_country", 3, {"country", "poster_name", "follower_count"}, PIN | GEO},
    {"top_country_by_followers", 2, {"country", "follower_count", NULL}, PIN | GEO},
    {"top_category_by_age_group", 3, {"age_group", "category", "category_count"}, PIN | USER},
    {"median_followers_by_age_group", 2, {"age_group", "median_follower_count", NULL}, PIN | USER},
    {"users_joined_by_year", 2, {"post_year", "number_users_joined", NULL}, USER},
    {"median_followers_by_join_year", 2, {"post_year", "median_follower_count", NULL}, PIN | USER},
    {"median_followers_by_age_group_and_join_year", 3,
     {"age_group", "post_year", "median_follower_count"}, PIN | USER},
};

const char *pinetl_insight_name(int insight) {
    return insight >= 0 && insight < PINETL_INSIGHT_COUNT ? pinetl__catalog_insights[insight].name : NULL;
}

unsigned pinetl_insight_tables(int insight) {
    return insight >= 0 && insight < PINETL_INSIGHT_COUNT ? pinetl__catalog_insights[insight].tables : 0;
}

int pinetl_insight_from_name(const char *name, int *out) {
    for (int i = 0; name && i < PINETL_INSIGHT_COUNT; i++) {
        if (!strcmp(name, pinetl__catalog_insights[i].name)) {
            if (out)
                *out = i;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_ENOTFOUND,
                            "unknown insight '%s' (known: top_category_by_country, "
                            "top_category_by_year, top_user_by_country, top_country_by_followers, "
                            "top_category_by_age_group, median_followers_by_age_group, "
                            "users_joined_by_year, median_followers_by_join_year, "
                            "median_followers_by_age_group_and_join_year)",
                            name ? name : "(null)");
}

void pinetl_insights_options_init(pinetl_insights_options *options) {
    if (!options)
        return;
    memset(options, 0, sizeof *options);
    options->median = PINETL_MEDIAN_APPROX;
}

int pinetl__catalog_selection(const pinetl_insights_options *o, int *ids) {
    if (o && o->median != PINETL_MEDIAN_APPROX && o->median != PINETL_MEDIAN_INTERPOLATED)
        return pinetl__error_set(PINETL_EINVAL, "unknown median kind %d", o->median);
    if (!o || !o->names) {
        for (int i = 0; i < PINETL_INSIGHT_COUNT; i++)
            ids[i] = i;
        return PINETL_INSIGHT_COUNT;
    }
    int n = 0, seen[PINETL_INSIGHT_COUNT] = {0};
    for (size_t k = 0; k < o->nnames; k++) {
        int id, rc = pinetl_insight_from_name(o->names[k], &id);
        if (rc)
            return rc;
        if (!seen[id]++)
            ids[n++] = id;
    }
    return n;
}
