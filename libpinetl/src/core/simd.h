/* Which vector instructions the scanning code uses, chosen once at run time (no ifunc: a
 * function pointer set on first use). The portable path is always there and always tested:
 * PINETL_SIMD=portable or avx2 in the environment forces a path, for tests and A/B runs. */
#ifndef PINETL_CORE_SIMD_H
#define PINETL_CORE_SIMD_H

#include <stddef.h>
#include <stdint.h>

enum { SIMD_PORTABLE = 0, SIMD_AVX2 = 1, SIMD_AVX512 = 2 };

/* The level in use: the best the CPU has, or what PINETL_SIMD asks for (never more than the
 * CPU has). */
int pinetl__simd_level(void);

/* Sets the level (tests): a level the CPU lacks falls back to the best it has. Returns the
 * level now in use. */
int pinetl__simd_force(int level);

/* 1 when [p, p + len) is valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), checked over whole blocks of 64 bytes (AVX-512), 32 (AVX2) or 8 (portable). Where the bad
 * byte is, pinetl__json_utf8_valid says: this only answers yes or no, fast. */
int pinetl__utf8_valid_block(const char *p, size_t len);

/* pinetl__utf8_valid_block that finds the '\n' bytes in the same pass: their offsets from p, the
 * first cap of them in nl, and how many there are in *count (more than cap: the caller finds
 * the rest; SIZE_MAX when p is 4 GiB or more long and none were indexed). */
int pinetl__utf8_valid_lines(const char *p, size_t len, uint32_t *nl, size_t cap, size_t *count);

/* pinetl__utf8_valid_lines that also indexes the strings in the same pass (when quotes is not
 * NULL): bit i % 64 of quotes[i / 64] is set when p[i] is '"', of odd[i / 64] when p[i] is a
 * backslash or a control byte other than '\n' (what a string scan must look at; both arrays
 * have room for (len + 63) / 64 words). *indexed says whether the index was made: not without
 * a vector unit (CPUs other than x86) nor for 4 GiB or more. pinetl__json_members_indexed walks
 * a line from it. */
int pinetl__utf8_valid_index(const char *p, size_t len, uint32_t *nl, size_t cap, size_t *count,
                             uint64_t *quotes, uint64_t *odd, int *indexed);

/* How many bytes of [p, p + len) are c. */
size_t pinetl__count_byte(const char *p, size_t len, char c);

#endif
