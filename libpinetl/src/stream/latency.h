/* A latency histogram: 16 buckets per power of two of microseconds (values within 1/16 of
 * exact), fixed size, no allocation. */
#ifndef PINETL_STREAM_LATENCY_H
#define PINETL_STREAM_LATENCY_H

#include <stdint.h>

enum { PINETL__LAT_BUCKETS = 1024 };

typedef struct pinetl__latency {
    int64_t count[PINETL__LAT_BUCKETS];
    int64_t n, max;
} pinetl__latency;

void pinetl__latency_add(pinetl__latency *h, int64_t us);
/* The q-quantile (0 < q <= 1) in microseconds: the middle of its bucket; 0 when empty. */
int64_t pinetl__latency_quantile(const pinetl__latency *h, double q);

#endif
