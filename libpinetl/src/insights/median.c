#include "median.h"

#include <stdlib.h>

int64_t median_approx(const int64_t *sorted, size_t n) { return sorted[(n - 1) / 2]; }

double median_interpolated(const int64_t *sorted, size_t n) {
    if (n % 2)
        return (double)sorted[n / 2];
    int64_t lo = sorted[n / 2 - 1], hi = sorted[n / 2];
    /* hi - lo computed unsigned cannot overflow; exact while the values are below 2^53. */
    return (double)lo + (double)((uint64_t)hi - (uint64_t)lo) / 2.0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void median_sort(int64_t *v, size_t n) { qsort(v, n, sizeof *v, cmp_i64); }
