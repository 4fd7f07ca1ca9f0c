/* Latency histogram (see latency.h). */
#include "stream/latency.h"

static int bucket(int64_t us) {
    if (us < 16)
        return us < 0 ? 0 : (int)us;
    int msb = 63 - __builtin_clzll((unsigned long long)us);
    int sub = (int)((us >> (msb - 4)) & 15);
    return (msb - 3) * 16 + sub;
}

static int64_t bucket_low(int b) {
    if (b < 16)
        return b;
    int msb = b / 16 + 3, sub = b % 16;
    if (msb - 4 > 58)
        return INT64_MAX; /* past the last bucket: (16 + sub) << 59 would not fit */
    return (int64_t)((uint64_t)(16 + sub) << (msb - 4));
}

void pinetl__latency_add(pinetl__latency *h, int64_t us) {
    if (us < 0)
        us = 0;
    int b = bucket(us);
    if (b >= PINETL__LAT_BUCKETS)
        b = PINETL__LAT_BUCKETS - 1;
    h->count[b]++;
    h->n++;
    if (us > h->max)
        h->max = us;
}

int64_t pinetl__latency_quantile(const pinetl__latency *h, double q) {
    if (!h->n)
        return 0;
    int64_t rank = (int64_t)(q * (double)h->n + 0.999999);
    if (rank < 1)
        rank = 1;
    int64_t seen = 0;
    for (int b = 0; b < PINETL__LAT_BUCKETS; b++) {
        seen += h->count[b];
        if (seen >= rank) {
            int64_t lo = bucket_low(b), hi = bucket_low(b + 1);
            int64_t mid = b < 16 ? lo : lo + (hi - lo) / 2;
            return mid > h->max ? h->max : mid;
        }
    }
    return h->max;
}
