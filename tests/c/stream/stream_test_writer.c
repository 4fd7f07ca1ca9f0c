/* A stream writer for the `pinetl stream` tests (standing in for `pinetl serve`): appends the
 * records of stream_records.h to the shard logs under LANDING, each shard up to TOTAL records,
 * continuing after what a log already holds (so a writer killed and restarted writes the same
 * logs), in appends of 1..BATCH records each followed by a sync, at about RATE records per second
 * per shard.
 *
 * usage: stream_test_writer LANDING TOTAL [RATE [BATCH]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pinetl/streamlog.h>

#include "stream_records.h"

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: stream_test_writer LANDING TOTAL [RATE [BATCH]]\n");
        return 2;
    }
    uint64_t total = strtoull(argv[2], NULL, 10);
    double rate = argc > 3 ? atof(argv[3]) : 0;
    int batch = argc > 4 ? atoi(argv[4]) : 20;
    if (batch < 1)
        batch = 1;
    pinetl_streamlog *logs[4] = {0};
    int tables[4], shards[4], nlogs = 0;
    for (int t = 0; t < 3; t++)
        for (int s = 0; s < sr_shards(t); s++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/streams/%s/shardId-%012d.log", argv[1],
                     sr_stream_names[t], s);
            if (pinetl_streamlog_open(&logs[nlogs], path, 0)) {
                fprintf(stderr, "stream_test_writer: %s\n", pinetl_error_last());
                return 1;
            }
            tables[nlogs] = t;
            shards[nlogs] = s;
            nlogs++;
        }
    static char bufs[64][512];
    pinetl_streamlog_record recs[64];
    unsigned x = (unsigned)time(NULL) ^ (unsigned)clock();
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t written = 0;
    for (;;) {
        int busy = 0;
        for (int l = 0; l < nlogs; l++) {
            uint64_t next = pinetl_streamlog_last_seq(logs[l]) + 1;
            if (next > total)
                continue;
            busy = 1;
            x = x * 1103515245u + 12345u;
            int n = 1 + (int)((x >> 16) % (unsigned)(batch < 64 ? batch : 64));
            if (next + (uint64_t)n - 1 > total)
                n = (int)(total - next + 1);
            for (int i = 0; i < n; i++) {
                memset(&recs[i], 0, sizeof recs[i]);
                recs[i].data = bufs[i];
                recs[i].data_len =
                    sr_record(tables[l], shards[l], next + (uint64_t)i, bufs[i], sizeof bufs[i]);
                recs[i].key = "pk";
                recs[i].key_len = 2;
            }
            if (pinetl_streamlog_append(NULL, logs[l], recs, (size_t)n) ||
                pinetl_streamlog_sync(logs[l])) {
                fprintf(stderr, "stream_test_writer: %s\n", pinetl_error_last());
                return 1;
            }
            written += (uint64_t)n;
        }
        if (!busy)
            break;
        if (rate > 0) {
            /* Sleep until written/nlogs records per shard are due. */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
            double due = (double)written / nlogs / rate;
            if (due > el) {
                double d = due - el;
                struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
    }
    for (int l = 0; l < nlogs; l++)
        pinetl_streamlog_free(logs[l]);
    return 0;
}
