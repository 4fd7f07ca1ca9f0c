/* Kinesis shard iterators: opaque to clients, self-contained for the server (no table of issued
 * iterators to keep or bound). An iterator is base64 of
 *
 *   version (1 byte, 1) | stream name length (1) | log id (32, hex) | after_seq (8, LE) |
 *   hint (8, LE) | expires_ms (8, LE) | stream name | CRC-32C of everything before (4, LE)
 *
 * The checksum catches typing and truncation, not forgery; a forged iterator can only name a
 * stream and position the client could ask GetShardIterator for, and the stream it names is the
 * one authorization checks (kinesis_call.stream). The log id makes an iterator taken in a log
 * that has since been replaced fail instead of reading another log's records. */
#include <string.h>

#include <pinetl/streamlog.h>

#include "io/base64.h"
#include "serve_internal.h"

enum { FIXED = 1 + 1 + 32 + 8 + 8 + 8, CRC = 4, VERSION = 1 };

static void put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int pinetl__kinesis_iter_encode(pinetl__buf *b, const kinesis_iter *it) {
    unsigned char raw[FIXED + sizeof it->stream + CRC];
    size_t n = strnlen(it->stream, sizeof it->stream - 1);
    raw[0] = VERSION;
    raw[1] = (unsigned char)n;
    memcpy(raw + 2, it->log_id, 32);
    put64(raw + 34, it->after_seq);
    put64(raw + 42, it->hint);
    put64(raw + 50, (uint64_t)it->expires_ms);
    memcpy(raw + FIXED, it->stream, n);
    uint32_t crc = pinetl_crc32c(0, raw, FIXED + n);
    for (int i = 0; i < 4; i++)
        raw[FIXED + n + i] = (unsigned char)(crc >> (8 * i));
    return pinetl__buf_base64(b, raw, FIXED + n + CRC);
}

int pinetl__kinesis_iter_decode(kinesis_iter *it, const char *text, size_t n) {
    unsigned char raw[FIXED + sizeof it->stream + CRC];
    char tmp[KINESIS_ITER_TEXT_MAX];
    size_t len, bad;
    if (n > sizeof tmp || n < 4)
        return -1;
    memcpy(tmp, text, n);
    if (pinetl__io_base64_decode(tmp, n, tmp, &len, &bad) != 0 || len > sizeof raw)
        return -1;
    memcpy(raw, tmp, len);
    if (len < FIXED + CRC || raw[0] != VERSION || len != FIXED + (size_t)raw[1] + CRC ||
        raw[1] >= sizeof it->stream)
        return -1;
    size_t k = raw[1];
    uint32_t crc = 0;
    for (int i = 3; i >= 0; i--)
        crc = crc << 8 | raw[FIXED + k + (size_t)i];
    if (crc != pinetl_crc32c(0, raw, FIXED + k))
        return -1;
    memset(it, 0, sizeof *it);
    memcpy(it->log_id, raw + 2, 32);
    it->after_seq = get64(raw + 34);
    it->hint = get64(raw + 42);
    it->expires_ms = (int64_t)get64(raw + 50);
    memcpy(it->stream, raw + FIXED, k);
    it->stream[k] = '\0';
    return 0;
}
