#include "median.h"

#include <stdlib.h>

int64_t pinetl__median_approx(const int64_t *sorted, size_t n) { return sorted[(n - 1) / 2]; }

double pinetl__median_interpolated(const int64_t *sorted, size_t n) {
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

void pinetl__median_sort(int64_t *v, size_t n) { qsort(v, n, sizeof *v, cmp_i64); }

static void swap(int64_t *a, int64_t *b) {
    int64_t t = *a;
    *a = *b;
    *b = t;
}

/* Reorders v so that v[k] holds the value a sort would put there, with nothing greater before it
 * and nothing smaller after it. Three-way partitions, because follower counts repeat a lot (a
 * two-way partition degrades on many equal values); after too many rounds (an adversarial order
 * defeating the median-of-three pivot) the rest is sorted, so the worst case stays n log n. */
static void select_kth(int64_t *v, size_t n, size_t k) {
    size_t lo = 0, hi = n, rounds = 0;   /* v[k] is within [lo, hi) */
    while (hi - lo > 1) {
        if (++rounds > 64) {
            pinetl__median_sort(v + lo, hi - lo);
            return;
        }
        int64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        int64_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        /* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (v[i] < pivot)
                swap(&v[lt++], &v[i++]);
            else if (v[i] > pivot)
                swap(&v[i], &v[--gt]);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return;   /* v[k] == pivot, in its sorted place */
    }
}

int64_t pinetl__median_approx_select(int64_t *v, size_t n) {
    select_kth(v, n, (n - 1) / 2);
    return v[(n - 1) / 2];
}

double pinetl__median_interpolated_select(int64_t *v, size_t n) {
    select_kth(v, n, n % 2 ? n / 2 : n / 2 - 1);
    if (n % 2)
        return (double)v[n / 2];
    /* The upper middle value is the least of the upper half. */
    int64_t two[2] = {v[n / 2 - 1], v[n / 2]};
    for (size_t i = n / 2 + 1; i < n; i++)
        if (v[i] < two[1])
            two[1] = v[i];
    return pinetl__median_interpolated(two, 2);
}
