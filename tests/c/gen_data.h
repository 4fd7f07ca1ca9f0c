/* Generated records with many ties, duplicate inds, nulls, sentinels, bad values and rejects:
 * deterministic (a fixed-seed xorshift), so a failure reproduces. */
#ifndef PINETL_TEST_GEN_DATA_H
#define PINETL_TEST_GEN_DATA_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct gen {
    uint64_t s;
} gen;

static inline uint64_t gen_next(gen *g) {
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return g->s;
}

static inline unsigned gen_pick(gen *g, unsigned n) { return (unsigned)(gen_next(g) % n); }

/* Appends printf output to a growing string. */
static inline void gen_printf(char **s, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline void gen_printf(char **s, size_t *len, size_t *cap, const char *fmt, ...) {
    va_list ap;
    if (*len + 1024 > *cap) {
        *cap = (*cap + 1024) * 2;
        char *t = realloc(*s, *cap);
        if (!t)
            abort();
        *s = t;
    }
    va_start(ap, fmt);
    *len += (size_t)vsnprintf(*s + *len, *cap - *len, fmt, ap);
    va_end(ap);
}

/* n records per table over inds 0..n/3 (so most inds repeat). Caller frees the three texts. */
static inline void gen_tables(uint64_t seed, size_t n, char **pin, char **geo, char **user) {
    static const char *const cats[] = {"art", "diy", "travel", "quotes", "beauty", "Art"};
    static const char *const countries[] = {"France",  "Chad", "Albania", "\\u00c5land",
                                            "algeria", "",     "Peru"};
    static const char *const posters[] = {"Ann", "Bob", "Cy", "User Info Error", "Dee", "ann"};
    static const char *const counts[] = {"\"1k\"", "\"1000\"", "\"2.5M\"", "\"User Info Error\"",
                                         "7",      "null",     "\"12\"",   "\"bad\"",
                                         "\"0\"",  "\"2500k\""};
    static const char *const firsts[] = {"Ann", "Bob", "", "Cy"};
    gen g = {seed};
    size_t lp = 0, lg = 0, lu = 0, cp = 0, cg = 0, cu = 0;
    *pin = *geo = *user = NULL;
    unsigned inds = (unsigned)(n / 3 + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned ind = gen_pick(&g, inds);
        if (gen_pick(&g, 50) == 0)
            gen_printf(pin, &lp, &cp, "{\"index\": \"x%u\"}\n", ind); /* rejected */
        else
            gen_printf(pin, &lp, &cp,
                       "{\"index\": %u, \"category\": \"%s\", \"poster_name\": \"%s\","
                       " \"follower_count\": %s}\n",
                       ind, cats[gen_pick(&g, 6)], posters[gen_pick(&g, 6)],
                       counts[gen_pick(&g, 10)]);
        ind = gen_pick(&g, inds);
        unsigned y = 2012 + gen_pick(&g, 13);
        if (gen_pick(&g, 10) == 0)
            gen_printf(geo, &lg, &cg, "{\"ind\": %u, \"country\": \"%s\", \"timestamp\": null}\n",
                       ind, countries[gen_pick(&g, 7)]);
        else
            gen_printf(
                geo, &lg, &cg,
                "{\"ind\": %u, \"country\": \"%s\", \"timestamp\": \"%u-%02u-28 %02u:00:00%s\","
                " \"latitude\": %u.5, \"longitude\": -%u.25}\n",
                ind, countries[gen_pick(&g, 7)], y, 1 + gen_pick(&g, 12), gen_pick(&g, 24),
                gen_pick(&g, 4) ? "" : "-05:00", gen_pick(&g, 90), gen_pick(&g, 180));
        ind = gen_pick(&g, inds);
        unsigned age = 10 + gen_pick(&g, 60);
        gen_printf(user, &lu, &cu,
                   "{\"ind\": %u, \"first_name\": \"%s\", \"last_name\": \"%s\", \"age\": %s%u%s,"
                   " \"date_joined\": \"%u-0%u-01 00:00:00\"}\n",
                   ind, firsts[gen_pick(&g, 4)], gen_pick(&g, 2) ? "Li" : "", age % 7 ? "" : "\"",
                   gen_pick(&g, 30) ? age : 200, age % 7 ? "" : "\"", 2013 + gen_pick(&g, 9),
                   1 + gen_pick(&g, 2));
    }
}

#endif
