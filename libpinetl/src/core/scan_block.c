/* Whole-block scans (simd.h): UTF-8 validation with the newlines found in the same pass, and
 * byte counts. The AVX2 path is the lookup algorithm of Keiser and
 * Lemire ("Validating UTF-8 in less than one instruction per byte", 2021; simdjson, simdutf):
 * three 16-entry table lookups classify each byte pair, and a saturating subtraction finds the
 * bytes that must be the 2nd/3rd continuation of a 3- or 4-byte sequence. Why not simdutf
 * itself: it is C++ (a C11 library would link libstdc++ for one function; docs/performance.md). */
#include "simd.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_X86 1
#include <immintrin.h>
#endif

static atomic_int level = -1;

static int cpu_best(void) {
#ifdef HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
        return SIMD_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return SIMD_AVX2;
#endif
    return SIMD_PORTABLE;
}

int pinetl__simd_force(int want) {
    int best = cpu_best();
    int l = want < best ? want : best;
    atomic_store_explicit(&level, l, memory_order_relaxed);
    return l;
}

int pinetl__simd_level(void) {
    int l = atomic_load_explicit(&level, memory_order_relaxed);
    if (l >= 0)
        return l;
    const char *env = getenv("PINETL_SIMD");
    int want = SIMD_AVX512;
    if (env && !strcmp(env, "portable"))
        want = SIMD_PORTABLE;
    else if (env && !strcmp(env, "avx2"))
        want = SIMD_AVX2;
    return pinetl__simd_force(want);
}

#ifdef HAVE_X86
/* The error classes of a byte pair (the tables' bits). */
enum {
    TOO_SHORT = 1 << 0,  /* a lead byte followed by a lead byte or ASCII */
    TOO_LONG = 1 << 1,   /* ASCII followed by a continuation */
    OVERLONG_3 = 1 << 2, /* E0 80..9F */
    TOO_LARGE = 1 << 3,  /* F4 90..BF, or F5.. */
    SURROGATE = 1 << 4,  /* ED A0..BF */
    OVERLONG_2 = 1 << 5, /* C0, C1 */
    TOO_LARGE_1000 = 1 << 6,
    OVERLONG_4 = 1 << 6, /* F0 80..8F */
    TWO_CONTS = -128,    /* bit 7, as a signed char: two continuations in a row (fine after a
                          * 3/4-byte lead) */
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS
};

/* The three lookup tables (16 entries, by nibble) of the block check: the error classes a first
 * byte's high and low nibble and a second byte's high nibble allow. One definition for the
 * AVX2 and AVX-512 paths. */
#define BYTE_1_HIGH                                                                            \
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TWO_CONTS, \
        TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,                    \
        TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4
#define BYTE_1_LOW                                                                                 \
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,                \
        CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, \
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,                    \
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,                    \
        CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,                    \
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,        \
        CARRY | TOO_LARGE | TOO_LARGE_1000
#define BYTE_2_HIGH                                                                         \
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, \
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,       \
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,                         \
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,                          \
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE, TOO_SHORT, TOO_SHORT,    \
        TOO_SHORT, TOO_SHORT

#define T16(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

__attribute__((target("avx2"))) static inline __m256i prev_n(__m256i in, __m256i prev, int n) {
    /* in shifted right by n bytes across the 128-bit lanes, prev's last bytes coming in. */
    __m256i cross = _mm256_permute2x128_si256(prev, in, 0x21);
    switch (n) {
    case 1: return _mm256_alignr_epi8(in, cross, 15);
    case 2: return _mm256_alignr_epi8(in, cross, 14);
    default: return _mm256_alignr_epi8(in, cross, 13);
    }
}

__attribute__((target("avx2"))) static int valid_avx2(const unsigned char *s, size_t len,
                                                      uint32_t *nl, size_t cap, size_t *count,
                                                      uint64_t *quotes, uint64_t *odd) {
    const __m256i byte_1_high = T16(BYTE_1_HIGH);
    const __m256i byte_1_low = T16(BYTE_1_LOW);
    const __m256i byte_2_high = T16(BYTE_2_HIGH);
    /* A lead byte in the last three places that needs more bytes than the block has left. */
    const __m256i max_tail = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    const __m256i nib = _mm256_set1_epi8(0x0F), newline = _mm256_set1_epi8('\n');
    const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
    const __m256i ctl = _mm256_set1_epi8(0x1F);
    uint64_t qlow = 0, olow = 0;
    size_t lines = 0;
    __m256i prev = _mm256_setzero_si256(), incomplete = prev, error = prev;
    unsigned char tail[32];
    size_t i = 0;
    for (;;) {
        __m256i in;
        if (i + 32 <= len) {
            in = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        } else if (i < len) {
            memset(tail, 0, sizeof tail); /* padded with ASCII */
            memcpy(tail, s + i, len - i);
            in = _mm256_loadu_si256((const __m256i *)(const void *)tail);
        } else {
            break;
        }
        if (nl) { /* the line index, in the same pass */
            __m256i is_nl = _mm256_cmpeq_epi8(in, newline);
            uint32_t m = (uint32_t)_mm256_movemask_epi8(is_nl);
            for (; m; m &= m - 1, lines++)
                if (lines < cap)
                    nl[lines] = (uint32_t)(i + (size_t)__builtin_ctz(m));
            if (quotes) { /* the string index: quotes, and bytes that need the full scanner */
                uint64_t q = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(in, quote));
                __m256i low =
                    _mm256_andnot_si256(is_nl, _mm256_cmpeq_epi8(_mm256_min_epu8(in, ctl), in));
                uint64_t o = (uint32_t)_mm256_movemask_epi8(
                    _mm256_or_si256(low, _mm256_cmpeq_epi8(in, bslash)));
                /* Two halves make a word: stored once whole (a tail half alone below). */
                if (i & 32) {
                    quotes[i / 64] = qlow | q << 32;
                    odd[i / 64] = olow | o << 32;
                } else {
                    qlow = q;
                    olow = o;
                }
            }
        }
        i += 32;
        if (!_mm256_movemask_epi8(in)) { /* all ASCII: only the last block's tail matters */
            error = _mm256_or_si256(error, incomplete);
            incomplete = _mm256_setzero_si256();
            prev = in;
            continue;
        }
        __m256i p1 = prev_n(in, prev, 1);
        __m256i b1h =
            _mm256_shuffle_epi8(byte_1_high, _mm256_and_si256(_mm256_srli_epi16(p1, 4), nib));
        __m256i b1l = _mm256_shuffle_epi8(byte_1_low, _mm256_and_si256(p1, nib));
        __m256i b2h =
            _mm256_shuffle_epi8(byte_2_high, _mm256_and_si256(_mm256_srli_epi16(in, 4), nib));
        __m256i special = _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h);
        __m256i p2 = prev_n(in, prev, 2), p3 = prev_n(in, prev, 3);
        __m256i third = _mm256_subs_epu8(p2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
        __m256i fourth = _mm256_subs_epu8(p3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
        __m256i must23 =
            _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
        error = _mm256_or_si256(error, _mm256_xor_si256(must23, special));
        incomplete = _mm256_subs_epu8(in, max_tail);
        prev = in;
    }
    if (quotes && (i & 32)) { /* i is past the end: a last half block without its pair */
        quotes[i / 64] = qlow;
        odd[i / 64] = olow;
    }
    error = _mm256_or_si256(error, incomplete);
    if (count)
        *count = lines;
    return _mm256_testz_si256(error, error);
}

#define T16X4(...) _mm512_broadcast_i32x4(_mm_setr_epi8(__VA_ARGS__))

/* The bytes before each byte of in, n back, across the 128-bit lanes. */
#define PREV512(in, cross, n) _mm512_alignr_epi8((in), (cross), 16 - (n))

/* valid_avx2 on 64-byte blocks (AVX-512BW): the same tables and steps. */
__attribute__((target("avx512f,avx512bw"))) static int
valid_avx512(const unsigned char *s, size_t len, uint32_t *nl, size_t cap, size_t *count,
             uint64_t *quotes, uint64_t *odd) {
    const __m512i byte_1_high = T16X4(BYTE_1_HIGH);
    const __m512i byte_1_low = T16X4(BYTE_1_LOW);
    const __m512i byte_2_high = T16X4(BYTE_2_HIGH);
    /* 0xFF everywhere but the last three bytes: F0-1, E0-1, C0-1 (incomplete at the end). */
    const __m512i max_tail = _mm512_mask_blend_epi8(
        (__mmask64)7 << 61, _mm512_set1_epi8(-1),
        _mm512_set_epi64((long long)0xBFDFEF0000000000ull, 0, 0, 0, 0, 0, 0, 0));
    const __m512i nib = _mm512_set1_epi8(0x0F), newline = _mm512_set1_epi8('\n');
    const __m512i third_sub = _mm512_set1_epi8((char)(0xE0 - 0x80));
    const __m512i fourth_sub = _mm512_set1_epi8((char)(0xF0 - 0x80));
    const __m512i high = _mm512_set1_epi8((char)0x80);
    const __m512i quote = _mm512_set1_epi8('"'), bslash = _mm512_set1_epi8('\\');
    const __m512i ctl = _mm512_set1_epi8(0x1F);
    size_t lines = 0;
    __m512i prev = _mm512_setzero_si512(), incomplete = prev, error = prev;
    for (size_t i = 0; i < len; i += 64) {
        __m512i in;
        if (i + 64 <= len)
            in = _mm512_loadu_si512((const void *)(s + i));
        else /* the tail, padded with zeros (ASCII) by a masked load */
            in = _mm512_maskz_loadu_epi8(~(__mmask64)0 >> (64 - (len - i)), s + i);
        if (nl) {
            uint64_t is_nl = _mm512_cmpeq_epi8_mask(in, newline), m = is_nl;
            for (; m; m &= m - 1, lines++)
                if (lines < cap)
                    nl[lines] = (uint32_t)(i + (size_t)__builtin_ctzll(m));
            if (quotes) {
                quotes[i / 64] = _mm512_cmpeq_epi8_mask(in, quote);
                odd[i / 64] =
                    (_mm512_cmple_epu8_mask(in, ctl) & ~is_nl) | _mm512_cmpeq_epi8_mask(in, bslash);
            }
        }
        if (!_mm512_movepi8_mask(in)) {
            error = _mm512_or_si512(error, incomplete);
            incomplete = _mm512_setzero_si512();
            prev = in;
            continue;
        }
        /* cross: prev's last lane, then in's first three lanes. */
        __m512i cross = _mm512_alignr_epi64(in, prev, 6);
        __m512i p1 = PREV512(in, cross, 1);
        __m512i b1h =
            _mm512_shuffle_epi8(byte_1_high, _mm512_and_si512(_mm512_srli_epi16(p1, 4), nib));
        __m512i b1l = _mm512_shuffle_epi8(byte_1_low, _mm512_and_si512(p1, nib));
        __m512i b2h =
            _mm512_shuffle_epi8(byte_2_high, _mm512_and_si512(_mm512_srli_epi16(in, 4), nib));
        __m512i special = _mm512_and_si512(_mm512_and_si512(b1h, b1l), b2h);
        __m512i third = _mm512_subs_epu8(PREV512(in, cross, 2), third_sub);
        __m512i fourth = _mm512_subs_epu8(PREV512(in, cross, 3), fourth_sub);
        __m512i must23 = _mm512_and_si512(_mm512_or_si512(third, fourth), high);
        error = _mm512_or_si512(error, _mm512_xor_si512(must23, special));
        incomplete = _mm512_subs_epu8(in, max_tail);
        prev = in;
    }
    error = _mm512_or_si512(error, incomplete);
    if (count)
        *count = lines;
    return _mm512_test_epi8_mask(error, error) == 0;
}

__attribute__((target("avx2,popcnt"))) static size_t count_avx2(const char *p, size_t len, char c) {
    const __m256i want = _mm256_set1_epi8(c);
    size_t n = 0, i = 0;
    for (; i + 32 <= len; i += 32) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
        n +=
            (size_t)__builtin_popcount((unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(in, want)));
    }
    for (; i < len; i++)
        n += p[i] == c;
    return n;
}

__attribute__((target("avx512f,avx512bw,popcnt"))) static size_t count_avx512(const char *p,
                                                                              size_t len, char c) {
    const __m512i want = _mm512_set1_epi8(c);
    size_t n = 0, i = 0;
    for (; i + 64 <= len; i += 64)
        n += (size_t)__builtin_popcountll(
            _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i)), want));
    if (i < len) /* the tail by a masked load */
        n += (size_t)__builtin_popcountll(_mm512_cmpeq_epi8_mask(
            _mm512_maskz_loadu_epi8(~(__mmask64)0 >> (64 - (len - i)), p + i), want));
    return n;
}
#endif

int pinetl__utf8_valid_block(const char *p, size_t len) {
#ifdef HAVE_X86
    if (pinetl__simd_level() >= SIMD_AVX512)
        return valid_avx512((const unsigned char *)p, len, NULL, 0, NULL, NULL, NULL);
    if (pinetl__simd_level() >= SIMD_AVX2)
        return valid_avx2((const unsigned char *)p, len, NULL, 0, NULL, NULL, NULL);
#endif
    return pinetl__json_utf8_valid(p, len, NULL);
}

#ifdef __SSE2__
#include <emmintrin.h>

/* The string index below AVX2: SSE2 is part of every x86-64 CPU, 16 bytes at a time. Without
 * it (other CPUs) there is no index and every line takes the full scanner, which reads its
 * strings 8 bytes at a time: a bit-by-bit index in plain C would cost more than it saves. */
/* The bits of 16 bytes at in, shifted to place j of their word. */
static inline void index16(__m128i in, unsigned j, uint64_t *q, uint64_t *o) {
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i newline = _mm_set1_epi8('\n'), ctl = _mm_set1_epi8(0x1F);
    __m128i low =
        _mm_andnot_si128(_mm_cmpeq_epi8(in, newline), _mm_cmpeq_epi8(_mm_min_epu8(in, ctl), in));
    *q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(in, quote)) << j;
    *o |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(in, bslash))) << j;
}

static int index_sse2(const unsigned char *s, size_t len, uint64_t *quotes, uint64_t *odd) {
    size_t i = 0;
    for (; i + 64 <= len; i += 64) { /* whole words, no tail checks */
        uint64_t q = 0, o = 0;
        for (unsigned j = 0; j < 64; j += 16)
            index16(_mm_loadu_si128((const __m128i *)(const void *)(s + i + j)), j, &q, &o);
        quotes[i / 64] = q;
        odd[i / 64] = o;
    }
    if (i < len) { /* the last word, padded (bits past the end are never read) */
        unsigned char tail[64] = {0};
        uint64_t q = 0, o = 0;
        memcpy(tail, s + i, len - i);
        for (unsigned j = 0; j < 64; j += 16)
            index16(_mm_loadu_si128((const __m128i *)(const void *)(tail + j)), j, &q, &o);
        quotes[i / 64] = q;
        odd[i / 64] = o;
    }
    return 1;
}
#else
static int index_sse2(const unsigned char *s, size_t len, uint64_t *quotes, uint64_t *odd) {
    (void)s, (void)len, (void)quotes, (void)odd;
    return 0;
}
#endif

int pinetl__utf8_valid_index(const char *p, size_t len, uint32_t *nl, size_t cap, size_t *count,
                             uint64_t *quotes, uint64_t *odd, int *indexed) {
    if (indexed)
        *indexed = 0;
    if (len > UINT32_MAX) { /* offsets are 32 bits: no index */
        *count = SIZE_MAX;
        return pinetl__utf8_valid_block(p, len);
    }
#ifdef HAVE_X86
    if (pinetl__simd_level() >= SIMD_AVX2) {
        if (quotes)
            *indexed = 1;
        if (pinetl__simd_level() >= SIMD_AVX512)
            return valid_avx512((const unsigned char *)p, len, nl, cap, count, quotes, odd);
        return valid_avx2((const unsigned char *)p, len, nl, cap, count, quotes, odd);
    }
#endif
    size_t n = 0;
    for (const char *q = p, *end = p + len; (q = memchr(q, '\n', (size_t)(end - q))); q++, n++)
        if (n < cap)
            nl[n] = (uint32_t)(q - p);
    *count = n;
    if (quotes)
        *indexed = index_sse2((const unsigned char *)p, len, quotes, odd);
    return pinetl__json_utf8_valid(p, len, NULL);
}

int pinetl__utf8_valid_lines(const char *p, size_t len, uint32_t *nl, size_t cap, size_t *count) {
    return pinetl__utf8_valid_index(p, len, nl, cap, count, NULL, NULL, NULL);
}

size_t pinetl__count_byte(const char *p, size_t len, char c) {
#ifdef HAVE_X86
    if (pinetl__simd_level() >= SIMD_AVX512)
        return count_avx512(p, len, c);
    if (pinetl__simd_level() >= SIMD_AVX2)
        return count_avx2(p, len, c);
#endif
    size_t n = 0;
    for (const char *q = p, *end = p + len; (q = memchr(q, c, (size_t)(end - q))); q++)
        n++;
    return n;
}
