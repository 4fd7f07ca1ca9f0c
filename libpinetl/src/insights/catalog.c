#include "catalog.h"

#include <string.h>

#include "util/error.h"
#include "windows.h"

enum { PIN = 1u << PINETL_TABLE_PIN, GEO = 1u << PINETL_TABLE_GEO, USER = 1u << PINETL_TABLE_USER };

_Static_assert(PINETL_INSIGHT_COUNT ==
                   PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP_AND_JOIN_YEAR + 1,
               "an insight without a count");

const insight_info pinetl__catalog_insights[PINETL_INSIGHT_COUNT] = {
    {"top_category_by_country", 3, {"country", "category", "category_count"}, PIN | GEO},
    {"top_category_by_year", 3, {"post_year", "category", "category_count"}, PIN | GEO},
    {"top_user_by_country", 3, {"country", "poster_name", "follower_count"}, PIN | GEO},
    {"top_country_by_followers", 2, {"country", "follower_count", NULL}, PIN | GEO},
    {"top_category_by_age_group", 3, {"age_group", "category", "category_count"}, PIN | USER},
    {"median_followers_by_age_group", 2, {"age_group", "median_follower_count", NULL}, PIN | USER},
    {"users_joined_by_year", 2, {"post_year", "number_users_joined", NULL}, USER},
    {"median_followers_by_join_year", 2, {"post_year", "median_follower_count", NULL}, PIN | USER},
    {"median_followers_by_age_group_and_join_year",
     3,
     {"age_group", "post_year", "median_follower_count"},
     PIN | USER},
};

const char *pinetl_insight_name(pinetl_insight insight) {
    return (int)insight >= 0 && (int)insight < PINETL_INSIGHT_COUNT
               ? pinetl__catalog_insights[insight].name
               : NULL;
}

unsigned pinetl_insight_tables(pinetl_insight insight) {
    return (int)insight >= 0 && (int)insight < PINETL_INSIGHT_COUNT
               ? pinetl__catalog_insights[insight].tables
               : 0;
}

int pinetl_insight_years(int *first, int *last, pinetl_insight insight) {
    int f, l;
    switch (insight) {
    case PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR:
        f = PINETL__FIRST_POST_YEAR, l = PINETL__LAST_POST_YEAR;
        break;
    case PINETL_INSIGHT_USERS_JOINED_BY_YEAR:
    case PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR:
    case PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP_AND_JOIN_YEAR:
        f = PINETL__FIRST_JOIN_YEAR, l = PINETL__LAST_JOIN_YEAR;
        break;
    default: return 0;
    }
    if (first)
        *first = f;
    if (last)
        *last = l;
    return 1;
}

int pinetl_insight_from_name(pinetl_insight *out, const char *name) {
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

static const char *const median_names[] = {"approx", "interpolated"};
_Static_assert(sizeof median_names / sizeof median_names[0] == PINETL_MEDIAN_INTERPOLATED + 1,
               "a median kind without a name");

const char *pinetl_median_kind_name(pinetl_median_kind kind) {
    return (int)kind >= 0 && (int)kind <= PINETL_MEDIAN_INTERPOLATED ? median_names[kind] : NULL;
}

int pinetl_median_kind_from_name(pinetl_median_kind *out, const char *name) {
    for (int k = 0; name && k <= PINETL_MEDIAN_INTERPOLATED; k++) {
        if (!strcmp(name, median_names[k])) {
            if (out)
                *out = (pinetl_median_kind)k;
            return PINETL_OK;
        }
    }
    return pinetl__error_set(PINETL_EINVAL, "unknown median '%s' (expected approx or interpolated)",
                             name ? name : "(null)");
}

int pinetl_insights_options_init(pinetl_insights_options *options, unsigned version) {
    if (!options || version != PINETL_INSIGHTS_OPTIONS_VERSION)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insights_options_init: %s",
                                 options ? "unknown version" : "NULL options");
    memset(options, 0, sizeof *options);
    options->version = version;
    options->median = PINETL_MEDIAN_APPROX;
    return PINETL_OK;
}

int pinetl__catalog_selection(const pinetl_insights_options *o, int *ids) {
    if (o &&
        pinetl__error_options("insights options", o, o->version, PINETL_INSIGHTS_OPTIONS_VERSION))
        return PINETL_EINVAL;
    if (o && o->median != PINETL_MEDIAN_APPROX && o->median != PINETL_MEDIAN_INTERPOLATED)
        return pinetl__error_set(PINETL_EINVAL, "unknown median kind %d", o->median);
    if (!o || !o->names) {
        for (int i = 0; i < PINETL_INSIGHT_COUNT; i++)
            ids[i] = i;
        return PINETL_INSIGHT_COUNT;
    }
    int n = 0, seen[PINETL_INSIGHT_COUNT] = {0};
    for (size_t k = 0; k < o->nnames; k++) {
        pinetl_insight id;
        int rc = pinetl_insight_from_name(&id, o->names[k]);
        if (rc)
            return rc;
        if (!seen[id]++)
            ids[n++] = id;
    }
    return n;
}
