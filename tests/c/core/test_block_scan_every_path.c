/* Whole-block UTF-8 validation (core/simd.h) agrees with the byte-by-byte validator on every
 * path the CPU has (portable, AVX2 and AVX-512 forced in turn), and finds every newline in the same pass: every 1- and 2-byte string, 3- and 4-byte
 * strings over the boundary values of each byte, and random mixes of valid characters with one
 * byte changed, each placed at every offset around 32- and 64-byte block boundaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"
#include "core/simd.h"

static const unsigned char edges[] = {0x00, 0x22, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                      0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF,
                                      0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
enum { NEDGES = sizeof edges, PAD = 70 };

static long mismatches;

/* s[0..n) at offset off of an ASCII buffer, cut after the string (at end) or not. */
static void agree(const unsigned char *s, size_t n, size_t off, int at_end) {
    char buf[PAD * 2 + 8];
    memset(buf, 'a', sizeof buf);
    memcpy(buf + off, s, n);
    size_t len = at_end ? off + n : off + n + 5;
    int want = pinetl__json_utf8_valid(buf, len, NULL);
    if (pinetl__utf8_valid_block(buf, len) != want && mismatches++ < 5) {
        fprintf(stderr, "mismatch (want %d) at offset %zu len %zu:", want, off, len);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02x", s[i]);
        fprintf(stderr, "\n");
    }
}

static void around_boundaries(const unsigned char *s, size_t n) {
    static const size_t offs[] = {0, 1, 28, 29, 30, 31, 32, 33, 60, 61, 62, 63, 64, 125, 126, 127};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        agree(s, n, offs[i], 0);
        agree(s, n, offs[i], 1);
    }
}

static void all_paths(void (*body)(void)) {
    int best = pinetl__simd_force(SIMD_AVX512);
    for (int l = SIMD_PORTABLE; l <= best; l++) {
        CHECK_INT(pinetl__simd_force(l), l);
        mismatches = 0;
        body();
        CHECK_INT(mismatches, 0);
    }
    pinetl__simd_force(best);
}

static void short_strings(void) {
    unsigned char s[4];
    for (int a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        around_boundaries(s, 1);
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            agree(s, 2, 31, 0);
            agree(s, 2, 31, 1);
            agree(s, 2, 5, 1);
        }
    }
    for (int a = 0; a < NEDGES; a++)
        for (int b = 0; b < NEDGES; b++)
            for (int c = 0; c < NEDGES; c++) {
                s[0] = edges[a], s[1] = edges[b], s[2] = edges[c];
                around_boundaries(s, 3);
                for (int d = 0; d < NEDGES; d += 3) {
                    s[3] = edges[d];
                    agree(s, 4, 30, 0);
                    agree(s, 4, 61, 1);
                }
            }
}

static void random_mixes(void) {
    static const char *const chars[] = {"a",
                                        "\xc3\xa9",
                                        "\xe2\x82\xac",
                                        "\xf0\x9f\x98\x80",
                                        "\xed\x9f\xbf",
                                        "\xef\xbf\xbf",
                                        "\xf4\x8f\xbf\xbf",
                                        "\n"};
    unsigned seed = 23;
    unsigned char s[200];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        while (n < 150) {
            seed = seed * 1103515245u + 12345u;
            const char *c = chars[(seed >> 16) % 8];
            memcpy(s + n, c, strlen(c));
            n += strlen(c);
        }
        seed = seed * 1103515245u + 12345u;
        if (round % 2)
            s[(seed >> 8) % n] = (unsigned char)(seed >> 20);
        int want = pinetl__json_utf8_valid((const char *)s, n, NULL);
        /* The same pass finds the newlines: every one, in order, the first cap of them kept. */
        uint32_t nl[64];
        size_t count = 0, found = 0, cap = round % 64;
        if (pinetl__utf8_valid_lines((const char *)s, n, nl, cap, &count) != want)
            mismatches++;
        for (size_t i = 0; i < n; i++) {
            if (s[i] != '\n')
                continue;
            if (found < cap && nl[found] != i)
                mismatches++;
            found++;
        }
        if (count != found || pinetl__count_byte((const char *)s, n, '\n') != found)
            mismatches++;
        for (size_t cut = n - 4; cut <= n; cut++)
            if (pinetl__utf8_valid_block((const char *)s, cut) !=
                    pinetl__json_utf8_valid((const char *)s, cut, NULL) &&
                mismatches++ < 5)
                fprintf(stderr, "random mismatch: round %d cut %zu (whole valid %d)\n", round, cut,
                        want);
    }
}

static void test_short_strings_every_path(void) { all_paths(short_strings); }
static void test_random_mixes_every_path(void) { all_paths(random_mixes); }

/* PINETL_SIMD=portable is obeyed; a forced level the CPU lacks falls back. */
static void test_forcing(void) {
    CHECK_INT(pinetl__simd_force(SIMD_PORTABLE), SIMD_PORTABLE);
    CHECK_INT(pinetl__simd_level(), SIMD_PORTABLE);
    int best = pinetl__simd_force(SIMD_AVX512);
    CHECK(best >= SIMD_PORTABLE && best <= SIMD_AVX512);
    CHECK_INT(pinetl__simd_level(), best);
}

int main(void) {
    RUN(test_short_strings_every_path);
    RUN(test_random_mixes_every_path);
    RUN(test_forcing);
    return check_done();
}
