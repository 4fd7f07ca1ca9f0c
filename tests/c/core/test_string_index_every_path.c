/* The string index of the block scan (core/simd.h, pinetl__utf8_valid_index) on every path the
 * CPU has (portable, AVX2, AVX-512 forced in turn): a bit for every '"', a bit for every
 * backslash and control byte but '\n', the newlines and the UTF-8 answer the same as without the
 * index (and the newline count of the splitter), on random mixes of the bytes that matter at
 * every length around 32- and 64-byte blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"
#include "core/simd.h"

static long mismatches;

static void one(const unsigned char *s, size_t n) {
    uint64_t quotes[8], odd[8];
    uint32_t nl[300], nl2[300];
    size_t count = 0, count2 = 0;
    memset(quotes, 0xA5, sizeof quotes);
    memset(odd, 0x5A, sizeof odd);
    int indexed = 0;
    int valid =
        pinetl__utf8_valid_index((const char *)s, n, nl, 300, &count, quotes, odd, &indexed);
    int plain = pinetl__utf8_valid_lines((const char *)s, n, nl2, 300, &count2);
    if (valid != plain || valid != pinetl__json_utf8_valid((const char *)s, n, NULL) ||
        count != count2 || memcmp(nl, nl2, count * sizeof *nl) != 0 ||
        pinetl__count_byte((const char *)s, n, '\n') != count)
        mismatches++;
#if defined(__x86_64__) || defined(__i386__)
    if (!indexed)
        mismatches++; /* every x86 path indexes (SSE2 below AVX2) */
#endif
    for (size_t i = 0; indexed && i < n; i++) {
        int q = (int)(quotes[i / 64] >> (i % 64) & 1), o = (int)(odd[i / 64] >> (i % 64) & 1);
        int want_o = s[i] == '\\' || (s[i] < 0x20 && s[i] != '\n');
        if ((q != (s[i] == '"') || o != want_o) && mismatches++ < 5)
            fprintf(stderr, "level %d: byte %zu (%02x) of %zu: quote bit %d, odd bit %d\n",
                    pinetl__simd_level(), i, s[i], n, q, o);
    }
}

static void random_bytes(void) {
    static const unsigned char pick[] = {'"',  '\\', '\n', '\t', '\r', 0x00, 0x01, 0x1F,
                                         ' ',  '!',  'a',  0x7F, 0xC3, 0xA9, 0xE2, 0x82,
                                         0xAC, 0xFF, '#',  ']',  '{',  '}',  ':',  ','};
    unsigned seed = 42;
    unsigned char s[300];
    for (int round = 0; round < 4000; round++) {
        size_t n = (size_t)round % 290;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = pick[(seed >> 16) % sizeof pick];
        }
        one(s, n);
    }
}

static void test_string_index_every_path(void) {
    int best = pinetl__simd_force(SIMD_AVX512);
    for (int l = SIMD_PORTABLE; l <= best; l++) {
        CHECK_INT(pinetl__simd_force(l), l);
        mismatches = 0;
        random_bytes();
        CHECK_INT(mismatches, 0);
    }
    pinetl__simd_force(best);
}

int main(void) {
    RUN(test_string_index_every_path);
    return check_done();
}
