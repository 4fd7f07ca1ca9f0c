/* The indexed walk of a JSON line (pinetl__json_members_indexed) never disagrees with the full
 * scanner (pinetl__json_parse_members_utf8): a line it takes, the scanner takes too, with the
 * same value, member count and members; it takes every plain line of the real sample; and it
 * hands back lines with backslashes, control bytes, nesting or any syntax error. Lines of the
 * real sample and random mutations of them (bytes changed, inserted, deleted), packed into
 * chunks at every alignment, on every SIMD path the CPU has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"
#include "core/simd.h"

enum { MAX_LINES = 3000, CHUNK = 1 << 16, MEMBERS = 4 };

static char *lines[MAX_LINES];
static size_t lens[MAX_LINES], nlines;
static long disagree, taken, plain_lines, plain_taken, chunks;

static int same_value(const json_value *a, const json_value *b) {
    return a->type == b->type && a->start == b->start && a->len == b->len &&
           a->escaped == b->escaped;
}

/* Walks every line of chunk[0..len) (lines end at '\n') both ways. */
static void check_chunk(const char *chunk, size_t len) {
    static uint64_t quotes[CHUNK / 64 + 1], odd[CHUNK / 64 + 1];
    static uint32_t nl[CHUNK];
    size_t count = 0;
    int indexed = 0;
    if (!pinetl__utf8_valid_index(chunk, len, nl, CHUNK, &count, quotes, odd, &indexed) || !indexed)
        return; /* the reader walks indexed valid chunks only */
    chunks++;
    const char *s = chunk, *end = chunk + len;
    for (size_t k = 0; k <= count && s < end; k++) {
        const char *e = k < count ? chunk + nl[k] : end;
        json_value v1, v2;
        json_member m1[MEMBERS], m2[MEMBERS];
        json_error err;
        size_t c1 = 0, c2 = 0;
        int walked = pinetl__json_members_indexed(s, e, chunk, quotes, odd, &v1, m1, MEMBERS, &c1);
        int scanned = pinetl__json_parse_members_utf8(s, e, &v2, m2, MEMBERS, &c2, &err, 1) == 0;
        int plain = scanned && v2.type == JSON_OBJECT && !memchr(s, '\\', (size_t)(e - s));
        for (const char *q = s; plain && q < e; q++)
            if ((unsigned char)*q < 0x20 || (*q == '{' && q > s) || *q == '[')
                plain = 0; /* control bytes, nesting (or braces in strings: unsure) */
        plain_lines += plain;
        if (walked) {
            taken++;
            plain_taken += plain;
            int ok = scanned && same_value(&v1, &v2) && c1 == c2;
            for (size_t i = 0; ok && i < c1 && i < MEMBERS; i++)
                ok = same_value(&m1[i].key, &m2[i].key) && same_value(&m1[i].value, &m2[i].value);
            if (!ok && disagree++ < 5)
                fprintf(stderr, "level %d disagrees on: %.*s\n", pinetl__simd_level(), (int)(e - s),
                        s);
        }
        s = e + 1;
    }
}

static void load(void) {
    FILE *f = fopen("tests/data/real-sample/pin.jsonl", "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char buf[1 << 16];
    while (nlines < MAX_LINES && fgets(buf, sizeof buf, f)) {
        size_t n = strcspn(buf, "\n");
        lines[nlines] = malloc(n + 1);
        memcpy(lines[nlines], buf, n);
        lens[nlines++] = n;
    }
    fclose(f);
}

static void run_all(void) {
    static char chunk[CHUNK];
    static const char bytes[] =
        "\"\\{}[]:, \t\r\x01-0.9eEtfnul"; /* ASCII: chunks stay valid UTF-8 */
    unsigned seed = 7;
    size_t pos = 0;
    for (size_t i = 0; i < nlines; i++) {
        char line[4096];
        size_t n = lens[i] < sizeof line - 8 ? lens[i] : sizeof line - 8;
        memcpy(line, lines[i], n);
        for (int round = 0; round < 4; round++) {
            if (round) { /* a change at a random place: replace, insert or delete a byte */
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % (n + 1);
                char b = bytes[(seed >> 20) % (sizeof bytes - 1)];
                if (round == 1 && at < n) {
                    line[at] = b;
                } else if (round == 2) {
                    memmove(line + at + 1, line + at, n - at);
                    line[at] = b;
                    n++;
                } else if (at < n) {
                    memmove(line + at, line + at + 1, n - at - 1);
                    n--;
                }
            }
            if (pos + n + 1 > sizeof chunk) {
                check_chunk(chunk, pos);
                pos = (seed >> 4) % 67; /* the next chunk's lines at another alignment */
                memset(chunk, ' ', pos);
            }
            memcpy(chunk + pos, line, n);
            pos += n;
            chunk[pos++] = '\n';
        }
    }
    check_chunk(chunk, pos);
}

static void test_indexed_walk_matches_scanner(void) {
    load();
    CHECK(nlines > 2000);
    int best = pinetl__simd_force(SIMD_AVX512);
    for (int l = SIMD_PORTABLE; l <= best; l++) {
        CHECK_INT(pinetl__simd_force(l), l);
        disagree = taken = plain_lines = plain_taken = chunks = 0;
        run_all();
#if defined(__x86_64__) || defined(__i386__)
        CHECK(chunks > 0); /* x86 indexes on every path (SSE2 below AVX2) */
#else
        if (!chunks)
            continue; /* no index without a vector unit: nothing to walk */
#endif
        CHECK_INT(disagree, 0);
        CHECK(plain_lines > 2000);
        CHECK_INT(plain_taken, plain_lines); /* the walk is the hot path, not a rare one */
    }
    pinetl__simd_force(best);
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
}

int main(void) {
    RUN(test_indexed_walk_matches_scanner);
    return check_done();
}
