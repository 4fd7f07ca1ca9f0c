/* The nine insights over a dataset: the pins joined once to their geo and user rows, then each
 * insight a pass or two over the joined rows with counting arrays indexed by string id, year or
 * age group, and medians by quickselect. Strings are ordered by rank (pinetl__strpool_ranks), so ordering
 * compares integers and still gives byte order. Ties are kept; rows come in the spec's order. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "core/age_groups.h"
#include "dataset.h"
#include "dataset_index.h"
#include "median.h"
#include "result.h"
#include "util/error.h"
#include "util/alloc.h"

/* Counting arrays up to this many cells (groups x categories); beyond, a hash map of the pairs
 * seen (only when both dictionaries are in the thousands). */
enum { DENSE_CELLS = 1 << 20 };

/* A pin with what the insights need of its geo and user rows. */
enum { J_FOLLOWERS = 1, J_GEO = 2, J_USER = 4 };
typedef struct jrow {
    int64_t followers;
    uint32_t category, poster, country; /* string ids, 0 = null (country: or no geo row) */
    uint16_t post_year, join_year;      /* in range, else 0 (see ds_geo, ds_user) */
    int8_t age_group;                   /* -1: none, or no user row */
    uint8_t flags;                      /* J_* */
} jrow;

typedef struct ctx {
    const pinetl_dataset *ds;
    uint32_t *cat_rank, *poster_rank, *country_rank; /* string id -> rank in byte order */
    jrow *rows;                                      /* the joined pins, made on first use */
    size_t nrows;
    int joined;
    int64_t joined_per_year[LAST_JOIN_YEAR - FIRST_JOIN_YEAR + 1]; /* users_joined_by_year */
    int counted_users;
    pinetl_insights *out;
    int median;
} ctx;

static int nomem(void) { return pinetl__error_set(PINETL_ENOMEM, "out of memory"); }

static void *alloc_n(size_t n, size_t size) { return pinetl__malloc((n ? n : 1) * size); }

/* ---- the join ---- */

/* Every pin (the latest row of each ind) with its geo and user rows, a partition at a time:
 * the three partitions' indexes are small, so the lookups hit the cache. */
static int join(ctx *c) {
    const pinetl_dataset *ds = c->ds;
    const ds_table *pins = &ds->table[PINETL_TABLE_PIN], *geos = &ds->table[PINETL_TABLE_GEO],
                   *users = &ds->table[PINETL_TABLE_USER];
    size_t total = 0;
    for (size_t p = 0; p < DS_PARTS; p++)
        total += pins->part[p].n;
    jrow *rows = alloc_n(total, sizeof *rows);
    if (!rows)
        return nomem();
    ds_index pin_x = {0}, geo_x = {0}, user_x = {0};
    size_t m = 0;
    int rc = PINETL_OK;
    for (size_t p = 0; !rc && p < DS_PARTS; p++) {
        if (!pins->part[p].n)
            continue;
        rc = pinetl__dataset_index_build(&pin_x, ds, PINETL_TABLE_PIN, p);
        if (!rc)
            rc = pinetl__dataset_index_build(&geo_x, ds, PINETL_TABLE_GEO, p);
        if (!rc)
            rc = pinetl__dataset_index_build(&user_x, ds, PINETL_TABLE_USER, p);
        const ds_pin *pin_rows = pins->part[p].rows;
        const ds_geo *geo_rows = geos->part[p].rows;
        const ds_user *user_rows = users->part[p].rows;
        for (size_t i = 0; !rc && i < pin_x.cap; i++) {
            if (!pin_x.rows[i])
                continue;
            const ds_pin *pin = &pin_rows[pin_x.rows[i] - 1];
            jrow *j = &rows[m++];
            *j = (jrow){pin->followers,
                        pin->category,
                        pin->poster,
                        0,
                        0,
                        0,
                        -1,
                        pin->has_followers ? J_FOLLOWERS : 0};
            int64_t g = pinetl__dataset_index_find(&geo_x, pin->ind),
                    u = pinetl__dataset_index_find(&user_x, pin->ind);
            if (g >= 0) {
                j->flags |= J_GEO;
                j->country = geo_rows[g].country;
                j->post_year = geo_rows[g].post_year;
            }
            if (u >= 0) {
                j->flags |= J_USER;
                j->age_group = user_rows[u].age_group;
                j->join_year = user_rows[u].join_year;
            }
        }
    }
    pinetl__dataset_index_free(&pin_x);
    pinetl__dataset_index_free(&geo_x);
    pinetl__dataset_index_free(&user_x);
    if (rc) {
        pinetl__free(rows);
        return rc;
    }
    c->rows = rows;
    c->nrows = m;
    c->joined = 1;
    return PINETL_OK;
}

/* ---- writing rows ---- */

static int begin(ctx *c, int insight) {
    const insight_info *in = &pinetl__catalog_insights[insight];
    return pinetl__result_table(c->out, in->name, in->ncols, in->cols);
}

static int put_text(ctx *c, size_t col, const strpool *pool, uint32_t id) {
    return pinetl__result_set_text(c->out, col, pinetl__strpool_str(pool, id),
                                   pinetl__strpool_len(pool, id));
}

static int put_age_group(ctx *c, size_t col, int group) {
    const char *g = pinetl__age_groups[group].name;
    return pinetl__result_set_text(c->out, col, g, strlen(g));
}

/* ids[rank - 1] = id: a pool's ids in byte order. NULL on memory failure. */
static uint32_t *ids_in_order(const uint32_t *rank, size_t count) {
    uint32_t *ids = alloc_n(count, sizeof *ids);
    for (size_t id = 1; ids && id <= count; id++)
        ids[rank[id] - 1] = (uint32_t)id;
    return ids;
}

/* ---- top category per group (country, year, age group): count, keep the maximum, ties kept ---- */

enum { GROUP_COUNTRY, GROUP_YEAR, GROUP_AGE };

/* The counts of one (group, category) pair; key orders the groups (a country's rank, a year, an
 * age group), value names it (a country id, a year, an age group). */
typedef struct gcount {
    int64_t key, value;
    uint32_t cat, cat_rank;
    int64_t count;
} gcount;

/* The group of a joined row for kind, or -1 when the row is not counted. Groups are numbered from
 * 0: a country id, a year - FIRST_POST_YEAR, an age group. */
static int64_t group_of(const jrow *j, int kind) {
    if (!j->category)
        return -1;
    switch (kind) {
    case GROUP_COUNTRY: return j->country ? (int64_t)j->country : -1;
    case GROUP_YEAR: return j->post_year ? j->post_year - FIRST_POST_YEAR : -1;
    default: return j->age_group;
    }
}

static int gcount_cmp(const void *x, const void *y) {
    const gcount *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->cat_rank > b->cat_rank) - (a->cat_rank < b->cat_rank);
}

/* The non-zero counts of every (group, category), sorted by group key then category rank. With
 * few groups and categories (always, in practice) a counting array; else a hash map. */
static int count_pairs(const ctx *c, int kind, gcount **out, size_t *n_out) {
    const pinetl_dataset *ds = c->ds;
    size_t ncat = ds->category.count + 1;
    size_t ngroups = kind == GROUP_COUNTRY ? ds->country.count + 1
                     : kind == GROUP_YEAR  ? LAST_POST_YEAR - FIRST_POST_YEAR + 1
                                           : PINETL_AGE_GROUP_COUNT;
    gcount *v = NULL;
    size_t n = 0;
    if (ngroups * ncat <= DENSE_CELLS) {
        int64_t *cells = pinetl__calloc(ngroups * ncat, sizeof *cells);
        uint32_t *cats = ids_in_order(c->cat_rank, ncat - 1);
        size_t nonzero = 0;
        for (size_t i = 0; cells && cats && i < c->nrows; i++) {
            int64_t g = group_of(&c->rows[i], kind);
            if (g >= 0)
                nonzero += !cells[(size_t)g * ncat + c->rows[i].category]++;
        }
        if (cells && cats)
            v = alloc_n(nonzero, sizeof *v);
        for (size_t g = 0; v && g < ngroups; g++) {
            int64_t key =
                kind == GROUP_COUNTRY ? (int64_t)(g ? c->country_rank[g] : 0) : (int64_t)g;
            int64_t value = kind == GROUP_YEAR ? (int64_t)g + FIRST_POST_YEAR : (int64_t)g;
            for (size_t r = 0; r + 1 < ncat; r++) {
                int64_t count = cells[g * ncat + cats[r]];
                if (count)
                    v[n++] = (gcount){key, value, cats[r], (uint32_t)r + 1, count};
            }
        }
        pinetl__free(cells);
        pinetl__free(cats);
        if (!v)
            return nomem();
        /* Countries were visited by id: order them by rank (the categories already are). */
        if (kind == GROUP_COUNTRY)
            qsort(v, n, sizeof *v, gcount_cmp);
    } else {
        i64map map = {0};
        size_t cap = 0;
        int rc = PINETL_OK;
        for (size_t i = 0; !rc && i < c->nrows; i++) {
            const jrow *j = &c->rows[i];
            int64_t g = group_of(j, kind);
            if (g < 0)
                continue;
            int found;
            int64_t at = pinetl__hashmap_put(&map, (int64_t)(((uint64_t)g << 32) | j->category),
                                             (uint32_t)n, &found);
            if (at < 0) {
                rc = nomem();
            } else if (found) {
                v[at].count++;
            } else {
                if (n == cap) {
                    cap = cap ? cap * 2 : 256;
                    gcount *w = pinetl__realloc(v, cap * sizeof *w);
                    if (!w) {
                        rc = nomem();
                        break;
                    }
                    v = w;
                }
                int64_t key = kind == GROUP_COUNTRY ? c->country_rank[g] : g;
                int64_t value = kind == GROUP_YEAR ? g + FIRST_POST_YEAR : g;
                v[n++] = (gcount){key, value, j->category, c->cat_rank[j->category], 1};
            }
        }
        pinetl__hashmap_free(&map);
        if (rc) {
            pinetl__free(v);
            return rc;
        }
        qsort(v, n, sizeof *v, gcount_cmp);
    }
    *out = v;
    *n_out = n;
    return PINETL_OK;
}

static int top_category(ctx *c, int insight) {
    int kind = insight == PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY ? GROUP_COUNTRY
               : insight == PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR  ? GROUP_YEAR
                                                                 : GROUP_AGE;
    gcount *v = NULL;
    size_t n = 0;
    int rc = begin(c, insight);
    if (!rc)
        rc = count_pairs(c, kind, &v, &n);
    if (rc)
        return rc;
    for (size_t i = 0, j; !rc && i < n; i = j) {
        int64_t max = 0;
        for (j = i; j < n && v[j].key == v[i].key; j++)
            if (v[j].count > max)
                max = v[j].count;
        for (size_t r = i; !rc && r < j; r++) {
            const gcount *e = &v[r];
            if (e->count != max)
                continue;
            rc = pinetl__result_row(c->out);
            if (!rc)
                rc = kind == GROUP_COUNTRY ? put_text(c, 0, &c->ds->country, (uint32_t)e->value)
                     : kind == GROUP_AGE   ? put_age_group(c, 0, (int)e->value)
                                           : (pinetl__result_set_int(c->out, 0, e->value), 0);
            if (!rc)
                rc = put_text(c, 1, &c->ds->category, e->cat);
            if (!rc)
                pinetl__result_set_int(c->out, 2, e->count);
        }
    }
    pinetl__free(v);
    return rc;
}

/* ---- top users per country, and the countries of the overall top ---- */

/* Rows with a poster, a follower count and a country take part. */
static int ranks_poster(const jrow *j) {
    return j->poster && j->country && (j->flags & J_FOLLOWERS);
}

/* best[country id] = the highest follower count of a poster in that country; seen[id] = 1 when
 * there is one. Both malloc'd. */
static int country_maxima(const ctx *c, int64_t **best_out, uint8_t **seen_out) {
    size_t ncountry = c->ds->country.count + 1;
    int64_t *best = alloc_n(ncountry, sizeof *best);
    uint8_t *seen = pinetl__calloc(ncountry, 1);
    if (!best || !seen) {
        pinetl__free(best);
        pinetl__free(seen);
        return nomem();
    }
    for (size_t i = 0; i < c->nrows; i++) {
        const jrow *j = &c->rows[i];
        if (!ranks_poster(j))
            continue;
        if (!seen[j->country] || j->followers > best[j->country])
            best[j->country] = j->followers;
        seen[j->country] = 1;
    }
    *best_out = best;
    *seen_out = seen;
    return PINETL_OK;
}

typedef struct poster {
    uint32_t country_rank, country, poster_rank, poster;
} poster;

static int poster_cmp(const void *x, const void *y) {
    const poster *a = x, *b = y;
    if (a->country_rank != b->country_rank)
        return a->country_rank < b->country_rank ? -1 : 1;
    return (a->poster_rank > b->poster_rank) - (a->poster_rank < b->poster_rank);
}

/* Per country, the distinct posters with its highest follower_count, in (country, poster_name)
 * order. */
static int top_user_by_country(ctx *c) {
    int64_t *best = NULL;
    uint8_t *seen = NULL;
    int rc = begin(c, PINETL_INSIGHT_TOP_USER_BY_COUNTRY);
    if (!rc)
        rc = country_maxima(c, &best, &seen);
    if (rc)
        return rc;
    size_t n = 0, cap = 0;
    poster *v = NULL;
    for (size_t i = 0; !rc && i < c->nrows; i++) {
        const jrow *j = &c->rows[i];
        if (!ranks_poster(j) || j->followers != best[j->country])
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            poster *w = pinetl__realloc(v, cap * sizeof *w);
            if (!w) {
                rc = nomem();
                break;
            }
            v = w;
        }
        v[n++] =
            (poster){c->country_rank[j->country], j->country, c->poster_rank[j->poster], j->poster};
    }
    if (!rc && n) /* qsort must not see the NULL of an empty array */
        qsort(v, n, sizeof *v, poster_cmp);
    for (size_t i = 0; !rc && i < n; i++) {
        if (i && !poster_cmp(&v[i - 1], &v[i]))
            continue;
        rc = pinetl__result_row(c->out);
        if (!rc)
            rc = put_text(c, 0, &c->ds->country, v[i].country);
        if (!rc)
            rc = put_text(c, 1, &c->ds->poster, v[i].poster);
        if (!rc)
            pinetl__result_set_int(c->out, 2, best[v[i].country]);
    }
    pinetl__free(v);
    pinetl__free(best);
    pinetl__free(seen);
    return rc;
}

/* The countries whose top poster has the overall highest follower_count, in name order. */
static int top_country_by_followers(ctx *c) {
    int64_t *best = NULL;
    uint8_t *seen = NULL;
    int rc = begin(c, PINETL_INSIGHT_TOP_COUNTRY_BY_FOLLOWERS);
    if (!rc)
        rc = country_maxima(c, &best, &seen);
    if (rc)
        return rc;
    size_t ncountry = c->ds->country.count;
    int64_t max = 0;
    int any = 0;
    for (size_t id = 1; id <= ncountry; id++) {
        if (seen[id] && (!any || best[id] > max))
            max = best[id];
        any |= seen[id];
    }
    uint32_t *ids = ids_in_order(c->country_rank, ncountry);
    if (!ids)
        rc = nomem();
    for (size_t r = 0; !rc && r < ncountry; r++) {
        uint32_t id = ids[r];
        if (!seen[id] || best[id] != max)
            continue;
        rc = pinetl__result_row(c->out);
        if (!rc)
            rc = put_text(c, 0, &c->ds->country, id);
        if (!rc)
            pinetl__result_set_int(c->out, 1, max);
    }
    pinetl__free(ids);
    pinetl__free(best);
    pinetl__free(seen);
    return rc;
}

/* ---- medians of follower_count per age group and/or join year ---- */

enum {
    JOIN_YEARS = LAST_JOIN_YEAR - FIRST_JOIN_YEAR + 1,
    MAX_MEDIAN_GROUPS = PINETL_AGE_GROUP_COUNT * JOIN_YEARS
};

/* The group of a joined row (age-group-major, then year), or -1 when it is not counted. */
static int median_group(const jrow *j, int by_age, int by_year) {
    if (!(j->flags & J_FOLLOWERS) || !(j->flags & J_USER))
        return -1;
    if ((by_age && j->age_group < 0) || (by_year && !j->join_year))
        return -1;
    int g = by_age ? j->age_group : 0;
    return by_year ? g * JOIN_YEARS + (j->join_year - FIRST_JOIN_YEAR) : g;
}

static int median_followers(ctx *c, int insight) {
    int by_age = insight != PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_JOIN_YEAR;
    int by_year = insight != PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP;
    int rc = begin(c, insight);
    if (rc)
        return rc;
    /* Count per group, then place each group's values together: start[g] .. start[g + 1]. */
    size_t start[MAX_MEDIAN_GROUPS + 1] = {0}, at[MAX_MEDIAN_GROUPS];
    for (size_t i = 0; i < c->nrows; i++) {
        int g = median_group(&c->rows[i], by_age, by_year);
        if (g >= 0)
            start[g + 1]++;
    }
    for (int g = 0; g < MAX_MEDIAN_GROUPS; g++)
        start[g + 1] += start[g];
    int64_t *vals = alloc_n(start[MAX_MEDIAN_GROUPS], sizeof *vals);
    if (!vals)
        return nomem();
    memcpy(at, start, sizeof at);
    for (size_t i = 0; i < c->nrows; i++) {
        int g = median_group(&c->rows[i], by_age, by_year);
        if (g >= 0)
            vals[at[g]++] = c->rows[i].followers;
    }
    for (int g = 0; !rc && g < MAX_MEDIAN_GROUPS; g++) {
        size_t m = start[g + 1] - start[g];
        if (!m)
            continue;
        int64_t *v = vals + start[g];
        size_t col = 0;
        rc = pinetl__result_row(c->out);
        if (!rc && by_age)
            rc = put_age_group(c, col++, by_year ? g / JOIN_YEARS : g);
        if (!rc && by_year)
            pinetl__result_set_int(c->out, col++, FIRST_JOIN_YEAR + g % JOIN_YEARS);
        if (rc)
            break;
        if (c->median == PINETL_MEDIAN_INTERPOLATED)
            pinetl__result_set_real(c->out, col, pinetl__median_interpolated_select(v, m));
        else
            pinetl__result_set_int(c->out, col, pinetl__median_approx_select(v, m));
    }
    pinetl__free(vals);
    return rc;
}

/* ---- users joined per year: distinct (user_name, date_joined) ---- */

/* A user's date_joined and its year, grouped by user name. */
typedef struct dated {
    int64_t ts;
    int64_t year;
} dated;

static int dated_cmp(const void *x, const void *y) {
    const dated *a = x, *b = y;
    return (a->ts > b->ts) - (a->ts < b->ts);
}

/* Sorts a name's dates: most names have a handful, where insertion sort beats qsort's calls. */
static void sort_dates(dated *v, size_t n) {
    if (n > 16) {
        qsort(v, n, sizeof *v, dated_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        dated x = v[i];
        size_t j = i;
        for (; j && v[j - 1].ts > x.ts; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

/* Distinct (user_name, date_joined) over the latest row of each ind: the dates are grouped by
 * name id with a counting sort, then each name's dates sorted and counted once each. */
static int count_users_joined(const pinetl_dataset *ds, int64_t per_year[JOIN_YEARS]) {
    const ds_table *users = &ds->table[PINETL_TABLE_USER];
    size_t total = 0, nnames = ds->user_name.count + 1;
    for (size_t p = 0; p < DS_PARTS; p++)
        total += users->part[p].n;
    /* The users that count; then their dates grouped by name, start[name] .. start[name + 1]. */
    const ds_user **kept = alloc_n(total, sizeof *kept);
    size_t *start = pinetl__calloc(nnames + 1, sizeof *start);
    dated *v = alloc_n(total, sizeof *v);
    ds_index x = {0};
    size_t n = 0;
    int rc = kept && start && v ? PINETL_OK : PINETL_ENOMEM;
    for (size_t p = 0; !rc && p < DS_PARTS; p++) {
        if (!users->part[p].n || (rc = pinetl__dataset_index_build(&x, ds, PINETL_TABLE_USER, p)))
            continue;
        const ds_user *rows = users->part[p].rows;
        for (size_t i = 0; i < x.cap; i++) {
            const ds_user *u = x.rows[i] ? &rows[x.rows[i] - 1] : NULL;
            if (u && u->name && u->join_year) {
                kept[n++] = u;
                start[u->name + 1]++;
            }
        }
    }
    pinetl__dataset_index_free(&x);
    memset(per_year, 0, JOIN_YEARS * sizeof *per_year);
    if (!rc) {
        for (size_t k = 0; k < nnames; k++)
            start[k + 1] += start[k];
        for (size_t i = 0; i < n; i++) /* start[name] advances to the name's end */
            v[start[kept[i]->name]++] = (dated){kept[i]->joined, kept[i]->join_year};
        for (size_t k = 0, from = 0; k < nnames; from = start[k++]) {
            sort_dates(v + from, start[k] - from);
            for (size_t i = from; i < start[k]; i++)
                if (i == from || v[i].ts != v[i - 1].ts)
                    per_year[v[i].year - FIRST_JOIN_YEAR]++;
        }
    }
    pinetl__free(kept);
    pinetl__free(start);
    pinetl__free(v);
    return rc;
}

static int users_joined_by_year(ctx *c) {
    int rc = begin(c, PINETL_INSIGHT_USERS_JOINED_BY_YEAR);
    if (!rc && !c->counted_users)
        rc = count_users_joined(c->ds, c->joined_per_year);
    if (rc)
        return rc == PINETL_ENOMEM ? nomem() : rc;
    for (int y = 0; !rc && y < JOIN_YEARS; y++) {
        if (!c->joined_per_year[y])
            continue;
        rc = pinetl__result_row(c->out);
        if (!rc) {
            pinetl__result_set_int(c->out, 0, FIRST_JOIN_YEAR + y);
            pinetl__result_set_int(c->out, 1, c->joined_per_year[y]);
        }
    }
    return rc;
}

/* ---- entry point ---- */

static int compute_one(ctx *c, int insight) {
    if (insight == PINETL_INSIGHT_USERS_JOINED_BY_YEAR)
        return users_joined_by_year(c);
    int rc = c->joined ? PINETL_OK : join(c);
    if (rc)
        return rc;
    switch (insight) {
    case PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY:
    case PINETL_INSIGHT_TOP_CATEGORY_BY_YEAR:
    case PINETL_INSIGHT_TOP_CATEGORY_BY_AGE_GROUP: return top_category(c, insight);
    case PINETL_INSIGHT_TOP_USER_BY_COUNTRY: return top_user_by_country(c);
    case PINETL_INSIGHT_TOP_COUNTRY_BY_FOLLOWERS: return top_country_by_followers(c);
    default: return median_followers(c, insight);
    }
}

/* users_joined_by_year reads only the users: it is counted on a second thread while the join
 * runs, when both are wanted. */
typedef struct users_job {
    const pinetl_dataset *ds;
    int64_t *per_year;
    int rc;
} users_job;

static void *count_users_main(void *arg) {
    users_job *j = arg;
    j->rc = count_users_joined(j->ds, j->per_year);
    return NULL;
}

static int prepare(ctx *c, const int *ids, int n) {
    int users = 0, pins = 0;
    for (int i = 0; i < n; i++) {
        users |= ids[i] == PINETL_INSIGHT_USERS_JOINED_BY_YEAR;
        pins |= ids[i] != PINETL_INSIGHT_USERS_JOINED_BY_YEAR;
    }
    if (!users || !pins)
        return PINETL_OK; /* one job: compute_one does it */
    users_job job = {c->ds, c->joined_per_year, PINETL_OK};
    pthread_t thread;
    int started = !pthread_create(&thread, NULL, count_users_main, &job);
    int rc = join(c);
    if (started)
        pthread_join(thread, NULL);
    else
        count_users_main(&job);
    if (!rc && job.rc)
        rc = nomem(); /* its only failure; its message stayed on its thread */
    c->counted_users = !rc;
    return rc;
}

int pinetl_insights_compute(pinetl_insights **out, const pinetl_dataset *ds,
                            const pinetl_insights_options *options) {
    if (!ds || !out)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_insights_compute: NULL argument");
    *out = NULL;
    int ids[PINETL_INSIGHT_COUNT];
    int n = pinetl__catalog_selection(options, ids);
    if (n < 0)
        return n;
    ctx c = {.ds = ds,
             .cat_rank = pinetl__strpool_ranks(&ds->category),
             .poster_rank = pinetl__strpool_ranks(&ds->poster),
             .country_rank = pinetl__strpool_ranks(&ds->country),
             .median = options ? options->median : 0};
    int rc = c.cat_rank && c.poster_rank && c.country_rank ? pinetl__result_new(&c.out) : nomem();
    if (!rc)
        rc = prepare(&c, ids, n);
    for (int i = 0; !rc && i < n; i++)
        rc = compute_one(&c, ids[i]);
    pinetl__free(c.cat_rank);
    pinetl__free(c.poster_rank);
    pinetl__free(c.country_rank);
    pinetl__free(c.rows);
    if (rc) {
        pinetl_insights_free(c.out);
        return rc;
    }
    *out = c.out;
    return PINETL_OK;
}
