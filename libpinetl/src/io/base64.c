/* Base64 decoding, table driven, in place: Kinesis Data is decoded into a reused scratch buffer. */
#include "base64.h"

#include <stdint.h>

#include "core/json.h"

/* 0..63 for alphabet characters, 64 for '=', 65 for whitespace, 255 for anything else. */
static const uint8_t b64_table[256] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255, 65,  65,  65,  65,  65,  255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 65,  255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 62,  255, 255, 255, 63,  52,  53,  54,  55,  56,  57,  58,  59,  60,
    61,  255, 255, 255, 64,  255, 255, 255, 0,   1,   2,   3,   4,   5,   6,   7,   8,   9,   10,
    11,  12,  13,  14,  15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  255, 255, 255, 255,
    255, 255, 26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,  41,  42,
    43,  44,  45,  46,  47,  48,  49,  50,  51,  255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255,
};

int pinetl__io_base64_decode(const char *src, size_t len, char *dst, size_t *out_len, size_t *bad) {
    uint32_t acc = 0;
    int have = 0; /* sextets in acc */
    size_t out = 0, i = 0, pad_at = 0;
    int pads = 0;
    for (; i < len; i++) {
        uint8_t v = b64_table[(unsigned char)src[i]];
        if (v == 65)
            continue;
        if (v == 64) {
            /* Padding: only after 2 or 3 sextets of the last group, then nothing but more '='. */
            if (pads == 0 && have < 2)
                goto fail;
            if (pads == 0)
                pad_at = i;
            pads++;
            if (have + pads > 4)
                goto fail;
            continue;
        }
        if (v == 255 || pads)
            goto fail;
        acc = (acc << 6) | v;
        if (++have == 4) {
            /* out never passes i: 3 bytes written per 4 characters read. */
            dst[out++] = (char)(acc >> 16);
            dst[out++] = (char)(acc >> 8);
            dst[out++] = (char)acc;
            acc = 0;
            have = 0;
        }
    }
    if (pads && have + pads != 4) {
        i = pad_at;
        goto fail;
    }
    if (have == 1) {
        i = len;
        goto fail;
    }
    if (have == 2) {
        dst[out++] = (char)(acc >> 4);
    } else if (have == 3) {
        dst[out++] = (char)(acc >> 10);
        dst[out++] = (char)(acc >> 2);
    }
    *out_len = out;
    return 0;
fail:
    *bad = i;
    return -1;
}

int pinetl__io_kinesis_data(char *buf, size_t n, size_t *out_len, int *json_text, size_t *bad) {
    size_t i = 0;
    while (i < n && pinetl__json_is_space((unsigned char)buf[i]))
        i++;
    *json_text = i < n && buf[i] == '{';
    if (*json_text) {
        *out_len = n;
        return 0;
    }
    return pinetl__io_base64_decode(buf, n, buf, out_len, bad);
}
