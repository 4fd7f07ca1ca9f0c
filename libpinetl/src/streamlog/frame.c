/* Record framing: little-endian fields written and read byte by byte, so the format does not
 * depend on the host's byte order. */
#include <stdio.h>
#include <string.h>

#include "streamlog/frame.h"
#include "util/error.h"

static void put16(unsigned char *p, uint16_t v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p) {
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

const char *pinetl__slog_reason(int check) {
    switch (check) {
    case PINETL__SLOG_VALID: return "valid";
    case PINETL__SLOG_INCOMPLETE: return "torn record";
    case PINETL__SLOG_BAD_MAGIC: return "bad magic";
    case PINETL__SLOG_BAD_HEADER: return "bad header";
    case PINETL__SLOG_BAD_CRC: return "bad CRC";
    default: return "invalid record";
    }
}

void pinetl__slog_encode(unsigned char *out, const char *key, size_t key_len, const char *data,
                         size_t data_len, uint64_t seq, int64_t arrival_us, uint64_t epoch) {
    put32(out, PINETL_STREAMLOG_MAGIC);
    put32(out + 4, (uint32_t)data_len);
    put64(out + 8, seq);
    put64(out + 16, (uint64_t)arrival_us);
    put16(out + 24, (uint16_t)key_len);
    put16(out + 26, (uint16_t)epoch);
    uint32_t crc = pinetl_crc32c(0, out + 4, 24);
    crc = pinetl_crc32c(crc, key, key_len);
    crc = pinetl_crc32c(crc, data, data_len);
    put32(out + 28, crc);
}

void pinetl__slog_encode_identity(unsigned char *out, const pinetl__slog_identity *id,
                                  int64_t arrival_us) {
    unsigned char *p = out + PINETL_STREAMLOG_HEADER_SIZE;
    memcpy(p, id->id, PINETL__SLOG_ID_BYTES);
    put64(p + 16, id->epoch);
    put64(p + 24, id->next_seq);
    put64(p + 32, id->prev_seq);
    pinetl__slog_encode(out, NULL, 0, (const char *)p, PINETL__SLOG_IDENTITY_LEN, 0, arrival_us,
                        id->epoch);
}

int pinetl__slog_identity_of(const unsigned char *p, const pinetl__slog_header *h,
                             pinetl__slog_identity *id) {
    if (h->seq != 0)
        return 0;
    p += PINETL_STREAMLOG_HEADER_SIZE;
    memcpy(id->id, p, PINETL__SLOG_ID_BYTES);
    id->epoch = get64(p + 16);
    id->next_seq = get64(p + 24);
    id->prev_seq = get64(p + 32);
    return 1;
}

void pinetl__slog_id_hex(char out[2 * PINETL__SLOG_ID_BYTES + 1], const unsigned char *id) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < PINETL__SLOG_ID_BYTES; i++) {
        out[2 * i] = hex[id[i] >> 4];
        out[2 * i + 1] = hex[id[i] & 15];
    }
    out[2 * PINETL__SLOG_ID_BYTES] = '\0';
}

int pinetl__slog_check(const unsigned char *p, size_t avail, int check_crc, pinetl__slog_header *h,
                       size_t *total) {
    /* A partial header is torn only if what is there could still become a valid one. */
    unsigned char magic[4];
    put32(magic, PINETL_STREAMLOG_MAGIC);
    if (memcmp(p, magic, avail < 4 ? avail : 4) != 0)
        return PINETL__SLOG_BAD_MAGIC;
    if (avail < PINETL_STREAMLOG_HEADER_SIZE)
        return PINETL__SLOG_INCOMPLETE;
    h->len = get32(p + 4);
    h->seq = get64(p + 8);
    h->arrival_us = (int64_t)get64(p + 16);
    h->key_len = get16(p + 24);
    h->epoch = get16(p + 26);
    h->crc = get32(p + 28);
    /* Sequence number 0 marks an identity frame, which has no key and a fixed payload. */
    if (h->len > PINETL_STREAMLOG_MAX_PAYLOAD ||
        (h->seq == 0 && (h->key_len != 0 || h->len != PINETL__SLOG_IDENTITY_LEN)))
        return PINETL__SLOG_BAD_HEADER;
    *total = (size_t)PINETL_STREAMLOG_HEADER_SIZE + h->key_len + h->len;
    if (!check_crc)
        return PINETL__SLOG_VALID;
    if (avail < *total)
        return PINETL__SLOG_INCOMPLETE;
    uint32_t crc = pinetl_crc32c(0, p + 4, 24);
    crc = pinetl_crc32c(crc, p + PINETL_STREAMLOG_HEADER_SIZE, (size_t)h->key_len + h->len);
    return crc == h->crc ? PINETL__SLOG_VALID : PINETL__SLOG_BAD_CRC;
}

int pinetl_streamlog_seq_format(char *out, size_t cap, uint64_t seq) {
    if (!out || cap < PINETL_STREAMLOG_SEQ_DIGITS + 1)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_seq_format: need %d bytes",
                                 PINETL_STREAMLOG_SEQ_DIGITS + 1);
    snprintf(out, cap, "%021llu", (unsigned long long)seq);
    return PINETL_OK;
}

int pinetl_streamlog_seq_parse(uint64_t *seq, const char *text) {
    if (!text || !seq)
        return pinetl__error_set(PINETL_EINVAL, "pinetl_streamlog_seq_parse: NULL argument");
    uint64_t v = 0;
    size_t n = 0;
    for (; text[n]; n++) {
        unsigned d = (unsigned)(text[n] - '0');
        if (d > 9 || n >= PINETL_STREAMLOG_SEQ_DIGITS || v > (UINT64_MAX - d) / 10)
            return pinetl__error_set(PINETL_EINVAL, "not a sequence number: \"%.40s\"", text);
        v = v * 10 + d;
    }
    if (!n)
        return pinetl__error_set(PINETL_EINVAL, "not a sequence number: \"\"");
    *seq = v;
    return PINETL_OK;
}
