/* The two medians of spec section 3; shared by the in-memory insights and the SQL aggregates so
 * that both paths agree to the bit. */
#ifndef PINETL_INSIGHTS_MEDIAN_H
#define PINETL_INSIGHTS_MEDIAN_H

#include <stddef.h>
#include <stdint.h>

/* percentile_approx(x, 0.5): the element at rank ceil(n/2) (1-based). n > 0. */
int64_t pinetl__median_approx(const int64_t *sorted, size_t n);
/* The mean of the two middle values (n even) or the middle value, as a double. n > 0. */
double pinetl__median_interpolated(const int64_t *sorted, size_t n);
/* Sorts int64 values ascending. */
void pinetl__median_sort(int64_t *v, size_t n);

/* The same medians without sorting: v is reordered (quickselect, linear on average). n > 0. */
int64_t pinetl__median_approx_select(int64_t *v, size_t n);
double pinetl__median_interpolated_select(int64_t *v, size_t n);

#endif
