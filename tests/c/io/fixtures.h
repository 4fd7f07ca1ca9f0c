/* Every io fixture, its table, and how many records it holds (rows = cleaned + rejected). */
#ifndef PINETL_TEST_IO_FIXTURES_H
#define PINETL_TEST_IO_FIXTURES_H

#include <pinetl/pinetl.h>

static const struct fixture {
    const char *path;
    pinetl_table table;
    size_t records;
    size_t rejected;
} fixtures[] = {
    {"tests/data/real-sample/pin.jsonl", PINETL_TABLE_PIN, 2262, 0},
    {"tests/data/real-sample/geo.jsonl", PINETL_TABLE_GEO, 2262, 0},
    {"tests/data/real-sample/user.jsonl", PINETL_TABLE_USER, 2262, 0},
    {"tests/data/envelopes/pin.kafka-rest.jsonl", PINETL_TABLE_PIN, 2262, 0},
    {"tests/data/envelopes/geo.kafka-dump.jsonl", PINETL_TABLE_GEO, 2262, 0},
    {"tests/data/envelopes/user.kinesis.jsonl", PINETL_TABLE_USER, 2262, 0},
    {"tests/data/envelopes/geo.array.json", PINETL_TABLE_GEO, 2262, 0},
    {"tests/data/envelopes/pin.kinesis.jsonl", PINETL_TABLE_PIN, 2262, 0},
    {"tests/data/io/malformed.jsonl", PINETL_TABLE_PIN, 12, 7},
    {"tests/data/io/kafka_rest_pretty.json", PINETL_TABLE_GEO, 7, 4},
    {"tests/data/io/kafka_dump.jsonl", PINETL_TABLE_USER, 3, 1},
    {"tests/data/io/kinesis.jsonl", PINETL_TABLE_PIN, 12, 5},
    {"tests/data/io/array_pretty.json", PINETL_TABLE_USER, 5, 1},
    {"tests/data/io/unsplittable_array.json", PINETL_TABLE_PIN, 3, 1},
    {"tests/data/io/unsplittable_bodies.json", PINETL_TABLE_PIN, 2, 1},
    {"tests/data/io/crlf.jsonl", PINETL_TABLE_GEO, 3, 0},
};
enum { NFIXTURES = sizeof fixtures / sizeof fixtures[0] };

#endif
