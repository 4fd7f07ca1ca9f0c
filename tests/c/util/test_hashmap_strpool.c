/* The util layer's int64 map and string pool. */
#include <stdlib.h>

#include "check.h"
#include "util/hashmap.h"
#include "util/strpool.h"

static void test_map_put_get_grow(void)
{
    i64map m = {0};
    CHECK(pinetl__hashmap_get(&m, 5) == NULL);
    int found = -1;
    for (int64_t k = -5000; k < 5000; k++) {
        CHECK_INT(pinetl__hashmap_put(&m, k * 7919, (uint32_t)(k + 5000), &found), k + 5000);
        if (found) CHECK(!found);
    }
    CHECK_INT(m.len, 10000);
    /* A second put of a key keeps the first value and says so. */
    CHECK_INT(pinetl__hashmap_put(&m, 3 * 7919, 1, &found), 5003);
    CHECK_INT(found, 1);
    for (int64_t k = -5000; k < 5000; k += 97) {
        const uint32_t *v = pinetl__hashmap_get(&m, k * 7919);
        CHECK(v && *v == (uint32_t)(k + 5000) + 1);   /* stored as value + 1 */
    }
    CHECK(pinetl__hashmap_get(&m, 1) == NULL);
    pinetl__hashmap_free(&m);
    CHECK(m.cap == 0 && m.len == 0);
}

static void test_strpool_interns_once_and_ranks(void)
{
    strpool p = {0};
    uint32_t b = pinetl__strpool_intern(&p, "banana", 6);
    uint32_t a = pinetl__strpool_intern(&p, "apple", 5);
    uint32_t e = pinetl__strpool_intern(&p, "", 0);
    uint32_t a2 = pinetl__strpool_intern(&p, "apple!", 5);   /* same 5 bytes */
    CHECK(a && b && e);
    CHECK_INT(a2, a);
    CHECK_INT(p.count, 3);
    CHECK_STR(pinetl__strpool_str(&p, b), "banana");
    CHECK_INT(pinetl__strpool_len(&p, a), 5);
    uint32_t *rank = pinetl__strpool_ranks(&p);
    CHECK(rank != NULL);
    if (rank) {
        CHECK(rank[e] < rank[a] && rank[a] < rank[b]);   /* byte order, shorter first */
        free(rank);
    }
    for (int i = 0; i < 2000; i++) {
        char s[16];
        int n = snprintf(s, sizeof s, "k%d", i);
        CHECK(pinetl__strpool_intern(&p, s, (size_t)n) != 0);
    }
    CHECK_INT(p.count, 2003);
    CHECK_INT(pinetl__strpool_intern(&p, "k1999", 5), pinetl__strpool_intern(&p, "k1999", 5));
    pinetl__strpool_free(&p);
}

int main(void)
{
    RUN(test_map_put_get_grow);
    RUN(test_strpool_interns_once_and_ranks);
    return check_done();
}
