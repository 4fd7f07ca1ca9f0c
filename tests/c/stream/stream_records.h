/* Deterministic stream records for the `pinetl stream` tests: the record of (table, shard, seq) is
 * a function of them, so a test can compute what the warehouse must hold for any positions.
 * Every 37th record is bad (rejected, three kinds in turn); inds repeat (a later record of the
 * same ind replaces the earlier one); shards of one stream use disjoint inds. */
#ifndef PINETL_TEST_STREAM_RECORDS_H
#define PINETL_TEST_STREAM_RECORDS_H

#include <stdint.h>
#include <stdio.h>

enum { SR_INDS = 1000, SR_SHARD_STRIDE = 1000000 };

static const char *const sr_stream_names[3] = {
    "streaming-0a1b2c3d4e5f-pin", "streaming-0a1b2c3d4e5f-geo", "streaming-0a1b2c3d4e5f-user"};

/* 1 when the record is bad (goes to rejects). */
static inline int sr_is_bad(uint64_t seq) { return seq % 37 == 0; }

static inline int64_t sr_ind(int shard, uint64_t seq) {
    return (int64_t)shard * SR_SHARD_STRIDE + (int64_t)((seq * 7) % SR_INDS);
}

/* Writes the record's JSON into buf (cap >= 512) and returns its length. */
static inline size_t sr_record(int table, int shard, uint64_t seq, char *buf, size_t cap) {
    int n;
    if (sr_is_bad(seq)) {
        switch ((seq / 37) % 3) {
        case 0:
            n = snprintf(buf, cap, "{\"ind\": %llu, \"country\": ", (unsigned long long)seq);
            break;
        case 1: n = snprintf(buf, cap, "{\"ind\": \"%llua\"}", (unsigned long long)seq); break;
        default: n = snprintf(buf, cap, "[%llu]", (unsigned long long)seq); break;
        }
        return (size_t)n;
    }
    long long ind = (long long)sr_ind(shard, seq);
    unsigned long long s = (unsigned long long)seq;
    if (table == 0)
        n = snprintf(buf, cap,
                     "{\"index\": %lld, \"unique_id\": \"u-%d-%llu\", \"title\": \"title %llu\", "
                     "\"description\": \"d\", \"poster_name\": \"poster %llu\", "
                     "\"follower_count\": \"%lluk\", \"tag_list\": \"a,b\", "
                     "\"is_image_or_video\": \"image\", \"image_src\": \"https://i/%llu.jpg\", "
                     "\"downloaded\": 1, \"save_location\": \"Local save in /data/art\", "
                     "\"category\": \"art\"}",
                     ind, shard, s, s, s, s % 50, s);
    else if (table == 1)
        n = snprintf(buf, cap,
                     "{\"ind\": %lld, \"timestamp\": \"2020-08-28 03:%02llu:%02llu\", "
                     "\"latitude\": -89.5, \"longitude\": %llu.25, \"country\": \"C%llu\"}",
                     ind, s % 60, (s / 60) % 60, s % 180, s % 20);
    else
        n = snprintf(buf, cap,
                     "{\"ind\": %lld, \"first_name\": \"F%llu\", \"last_name\": \"L\", "
                     "\"age\": %llu, \"date_joined\": \"2015-10-24 11:23:51\"}",
                     ind, s, 20 + s % 40);
    return (size_t)n;
}

/* Shards per table in these tests: pin has two. */
static inline int sr_shards(int table) { return table == 0 ? 2 : 1; }

#endif
