/* The nine insights over a dataset: hash joins on ind, group-bys on interned strings, ties kept,
 * rows in the spec's order. Strings are compared by rank (strpool_ranks), so sorting compares
 * integers and still gives byte order. */
#include <stdlib.h>
#include <string.h>

#include <pinetl/scalar.h>

#include "catalog.h"
#include "core/batch_internal.h"
#include "dataset.h"
#include "median.h"
#include "result.h"

enum { FIRST_POST_YEAR = 2018, LAST_POST_YEAR = 2022, FIRST_JOIN_YEAR = 2015, LAST_JOIN_YEAR = 2020 };

typedef struct ctx {
    const pinetl_dataset *ds;
    const uint32_t *rank;    /* string id -> rank in byte order */
    pinetl_insights *out;
    int median;
} ctx;

static const ds_geo *geo_of(const pinetl_dataset *ds, int64_t ind) {
    const uint32_t *v = i64map_get(&ds->index[PINETL_TABLE_GEO], ind);
    return v ? &ds->geo[*v - 1] : NULL;
}

static const ds_user *user_of(const pinetl_dataset *ds, int64_t ind) {
    const uint32_t *v = i64map_get(&ds->index[PINETL_TABLE_USER], ind);
    return v ? &ds->user[*v - 1] : NULL;
}

static int nomem(void) { return pinetl_set_error(PINETL_ENOMEM, "out of memory"); }

static int begin(ctx *c, int insight) {
    const insight_info *in = &insight_catalog[insight];
    return result_table(c->out, in->name, in->ncols, in->cols);
}

static int put_text(ctx *c, size_t col, uint32_t id) {
    return result_set_text(c->out, col, strpool_str(&c->ds->strings, id),
                           strpool_len(&c->ds->strings, id));
}

static int put_age_group(ctx *c, size_t col, int64_t age) {
    const char *g = pinetl_age_group(age);
    return result_set_text(c->out, col, g, strlen(g));
}

/* ---- top category per group (country, year, age group): count, keep the maximum, ties kept ---- */

/* A group value: its sort key (a string rank, a year, an age group index), its string id (0 for
 * numbers) and, for age groups, an age in it (to name it). */
typedef struct gval { int64_t key; uint32_t id; int64_t age; } gval;

typedef struct gcount { gval g; uint32_t cat, cat_rank; int64_t count; } gcount;

typedef struct counter { i64map map; gcount *v; size_t n, cap; } counter;

static int count_add(counter *k, const ctx *c, gval g, uint32_t cat) {
    int64_t key = (int64_t)(((uint64_t)g.key << 32) | c->rank[cat]);
    int found;
    int64_t at = i64map_put(&k->map, key, (uint32_t)k->n, &found);
    if (at < 0)
        return -1;
    if (found) {
        k->v[at].count++;
        return 0;
    }
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 256;
        gcount *v = realloc(k->v, cap * sizeof *v);
        if (!v)
            return -1;
        k->v = v;
        k->cap = cap;
    }
    k->v[k->n++] = (gcount){g, cat, c->rank[cat], 1};
    return 0;
}

static int gcount_cmp(const void *x, const void *y) {
    const gcount *a = x, *b = y;
    if (a->g.key != b->g.key)
        return a->g.key < b->g.key ? -1 : 1;
    return (a->cat_rank > b->cat_rank) - (a->cat_rank < b->cat_rank);
}

/* Emits the top categories of each group; kind says how to write the group value. */
enum { GROUP_STRING, GROUP_YEAR, GROUP_AGE };

static int emit_top(ctx *c, counter *k, int kind) {
    qsort(k->v, k->n, sizeof *k->v, gcount_cmp);
    for (size_t i = 0, j; i < k->n; i = j) {
        int64_t max = 0;
        for (j = i; j < k->n && k->v[j].g.key == k->v[i].g.key; j++)
            if (k->v[j].count > max)
                max = k->v[j].count;
        for (size_t r = i; r < j; r++) {
            const gcount *e = &k->v[r];
            if (e->count != max)
                continue;
            int rc = result_row(c->out);
            if (!rc)
                rc = kind == GROUP_STRING ? put_text(c, 0, e->g.id)
                   : kind == GROUP_AGE ? put_age_group(c, 0, e->g.age)
                   : (result_set_int(c->out, 0, e->g.key), 0);
            if (!rc)
                rc = put_text(c, 1, e->cat);
            if (rc)
                return rc;
            result_set_int(c->out, 2, e->count);
        }
    }
    return PINETL_OK;
}

static void counter_free(counter *k) {
    i64map_free(&k->map);
    free(k->v);
}

static int top_category(ctx *c, int insight) {
    const pinetl_dataset *ds = c->ds;
    counter k = {0};
    int rc = begin(c, insight);
    for (size_t i = 0; !rc && i < ds->npin; i++) {
        const ds_pin *p = &ds->pin[i];
        if (!p->category)
            continue;
        gval g = {0, 0, 0};
        if (insight == PINETL_INSIGHT_TOP_CATEGORY_BY_AGE_GROUP) {
            const ds_user *u = user_of(ds, p->ind);
            if (!u || !u->has_age || pinetl_age_group_index(u->age) < 0)
                continue;
            g = (gval){pinetl_age_group_index(u->age), 0, u->age};
        } else {
            const ds_geo *e = geo_of(ds, p->ind);
            if (!e)
                continue;
            if (insight == PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY) {
                if (!e->country)
                    continue;
                g = (gval){c->rank[e->country], e->country, 0};
            } else {
                if (!e->has_ts)
                    continue;
                int year = pinetl_timestamp_year(e->ts);
                if (year < FIRST_POST_YEAR || year > LAST_POST_YEAR)
                    continue;
                g = (gval){year, 0, 0};
            }
        }
        if (count_add(&k, c, g, p->category))
            rc = nomem();
    }
    if (!rc)
        rc = emit_top(c, &k, insight == PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY ? GROUP_STRING
                             : insight == PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR ? GROUP_YEAR
                             : GROUP_AGE);
    counter_free(&k);
    return rc;
}

/* ---- top users per country, and the countries of the overall top ---- */

typedef struct poster { uint32_t country_rank, country, poster_rank, poster; int64_t followers; } poster;

static int poster_cmp(const void *x, const void *y) {
    const poster *a = x, *b = y;
    if (a->country_rank != b->country_rank)
        return a->country_rank < b->country_rank ? -1 : 1;
    if (a->followers != b->followers)
        return a->followers > b->followers ? -1 : 1;   /* highest first */
    return (a->poster_rank > b->poster_rank) - (a->poster_rank < b->poster_rank);
}

/* The rows of top_user_by_country: per country, the distinct posters with its highest
 * follower_count, in (country, poster_name) order. *out is malloc'd. */
static int top_users(const ctx *c, poster **out, size_t *n_out) {
    const pinetl_dataset *ds = c->ds;
    poster *v = malloc((ds->npin ? ds->npin : 1) * sizeof *v);
    if (!v)
        return nomem();
    size_t n = 0;
    for (size_t i = 0; i < ds->npin; i++) {
        const ds_pin *p = &ds->pin[i];
        if (!p->poster || !p->has_followers)
            continue;
        const ds_geo *e = geo_of(ds, p->ind);
        if (!e || !e->country)
            continue;
        v[n++] = (poster){c->rank[e->country], e->country, c->rank[p->poster], p->poster,
                          p->followers};
    }
    qsort(v, n, sizeof *v, poster_cmp);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int new_country = !m || v[m - 1].country_rank != v[i].country_rank;
        if (new_country || (v[i].followers == v[m - 1].followers &&
                            v[i].poster_rank != v[m - 1].poster_rank))
            v[m++] = v[i];
    }
    *out = v;
    *n_out = m;
    return PINETL_OK;
}

static int top_user_by_country(ctx *c) {
    poster *v;
    size_t n;
    int rc = begin(c, PINETL_INSIGHT_TOP_USER_BY_COUNTRY);
    if (!rc)
        rc = top_users(c, &v, &n);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = result_row(c->out);
        if (!rc)
            rc = put_text(c, 0, v[i].country);
        if (!rc)
            rc = put_text(c, 1, v[i].poster);
        if (!rc)
            result_set_int(c->out, 2, v[i].followers);
    }
    free(v);
    return rc;
}

static int top_country_by_followers(ctx *c) {
    poster *v;
    size_t n;
    int rc = begin(c, PINETL_INSIGHT_TOP_COUNTRY_BY_FOLLOWERS);
    if (!rc)
        rc = top_users(c, &v, &n);
    if (rc)
        return rc;
    int64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (!i || v[i].followers > max)
            max = v[i].followers;
    for (size_t i = 0; !rc && i < n; i++) {
        if (v[i].followers != max || (i && v[i - 1].country == v[i].country))
            continue;
        rc = result_row(c->out);
        if (!rc)
            rc = put_text(c, 0, v[i].country);
        if (!rc)
            result_set_int(c->out, 1, max);
    }
    free(v);
    return rc;
}

/* ---- medians of follower_count per age group and/or join year ---- */

typedef struct gv { int64_t key, value, age; } gv;

static int gv_cmp(const void *x, const void *y) {
    const gv *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

static int median_followers(ctx *c, int insight) {
    const pinetl_dataset *ds = c->ds;
    int by_age = insight != PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR;
    int by_year = insight != PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP;
    int rc = begin(c, insight);
    if (rc)
        return rc;
    gv *v = malloc((ds->npin ? ds->npin : 1) * sizeof *v);
    int64_t *vals = malloc((ds->npin ? ds->npin : 1) * sizeof *vals);
    if (!v || !vals) {
        free(v);
        free(vals);
        return nomem();
    }
    size_t n = 0;
    for (size_t i = 0; i < ds->npin; i++) {
        const ds_pin *p = &ds->pin[i];
        if (!p->has_followers)
            continue;
        const ds_user *u = user_of(ds, p->ind);
        if (!u)
            continue;
        int64_t key = 0;
        if (by_age) {
            if (!u->has_age || pinetl_age_group_index(u->age) < 0)
                continue;
            key = pinetl_age_group_index(u->age);
        }
        if (by_year) {
            if (!u->has_joined)
                continue;
            int year = pinetl_timestamp_year(u->joined);
            if (year < FIRST_JOIN_YEAR || year > LAST_JOIN_YEAR)
                continue;
            key = key * 10000 + year;
        }
        v[n++] = (gv){key, p->followers, u->has_age ? u->age : 0};
    }
    qsort(v, n, sizeof *v, gv_cmp);
    size_t col = 0;
    for (size_t i = 0, j; !rc && i < n; i = j) {
        size_t m = 0;
        for (j = i; j < n && v[j].key == v[i].key; j++)
            vals[m++] = v[j].value;
        rc = result_row(c->out);
        col = 0;
        if (!rc && by_age)
            rc = put_age_group(c, col++, v[i].age);
        if (!rc && by_year)
            result_set_int(c->out, col++, v[i].key % 10000);
        if (rc)
            break;
        if (c->median == PINETL_MEDIAN_INTERPOLATED)
            result_set_real(c->out, col, median_interpolated(vals, m));
        else
            result_set_int(c->out, col, median_approx(vals, m));
    }
    free(v);
    free(vals);
    return rc;
}

/* ---- users joined per year: distinct (user_name, date_joined) ---- */

typedef struct joined { uint32_t name; int64_t ts; } joined;

static int joined_cmp(const void *x, const void *y) {
    const joined *a = x, *b = y;
    if (a->name != b->name)
        return a->name < b->name ? -1 : 1;
    return (a->ts > b->ts) - (a->ts < b->ts);
}

static int users_joined_by_year(ctx *c) {
    const pinetl_dataset *ds = c->ds;
    int rc = begin(c, PINETL_INSIGHT_USERS_JOINED_BY_YEAR);
    if (rc)
        return rc;
    joined *v = malloc((ds->nuser ? ds->nuser : 1) * sizeof *v);
    if (!v)
        return nomem();
    size_t n = 0;
    for (size_t i = 0; i < ds->nuser; i++)
        if (ds->user[i].name && ds->user[i].has_joined)
            v[n++] = (joined){ds->user[i].name, ds->user[i].joined};
    qsort(v, n, sizeof *v, joined_cmp);
    int64_t per_year[LAST_JOIN_YEAR - FIRST_JOIN_YEAR + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        if (i && !joined_cmp(&v[i - 1], &v[i]))
            continue;
        int year = pinetl_timestamp_year(v[i].ts);
        if (year >= FIRST_JOIN_YEAR && year <= LAST_JOIN_YEAR)
            per_year[year - FIRST_JOIN_YEAR]++;
    }
    free(v);
    for (int y = FIRST_JOIN_YEAR; !rc && y <= LAST_JOIN_YEAR; y++) {
        if (!per_year[y - FIRST_JOIN_YEAR])
            continue;
        rc = result_row(c->out);
        if (!rc) {
            result_set_int(c->out, 0, y);
            result_set_int(c->out, 1, per_year[y - FIRST_JOIN_YEAR]);
        }
    }
    return rc;
}

/* ---- entry point ---- */

static int compute_one(ctx *c, int insight) {
    switch (insight) {
    case PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY:
    case PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR:
    case PINETL_INSIGHT_TOP_CATEGORY_BY_AGE_GROUP:
        return top_category(c, insight);
    case PINETL_INSIGHT_TOP_USER_BY_COUNTRY:
        return top_user_by_country(c);
    case PINETL_INSIGHT_TOP_COUNTRY_BY_FOLLOWERS:
        return top_country_by_followers(c);
    case PINETL_INSIGHT_USERS_JOINED_BY_YEAR:
        return users_joined_by_year(c);
    default:
        return median_followers(c, insight);
    }
}

int pinetl_insights_compute(const pinetl_dataset *ds, const pinetl_insights_options *options,
                            pinetl_insights **out) {
    if (!ds || !out)
        return pinetl_set_error(PINETL_EINVAL, "pinetl_insights_compute: NULL argument");
    *out = NULL;
    int ids[PINETL_INSIGHT_COUNT];
    int n = insight_selection(options, ids);
    if (n < 0)
        return n;
    ctx c = {ds, strpool_ranks(&ds->strings), NULL, options ? options->median : 0};
    if (!c.rank)
        return nomem();
    int rc = result_new(&c.out);
    for (int i = 0; !rc && i < n; i++)
        rc = compute_one(&c, ids[i]);
    free((void *)c.rank);
    if (rc) {
        pinetl_insights_free(c.out);
        return rc;
    }
    *out = c.out;
    return PINETL_OK;
}
