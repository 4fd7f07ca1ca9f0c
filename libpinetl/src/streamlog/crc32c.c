/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): SSE4.2's crc32 instruction when the CPU
 * has it, else slicing-by-8 tables. Both give the same result (tested). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <pinetl/streamlog.h>

#include "streamlog/crc32c.h"

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t pinetl__crc32c_sw(uint32_t crc, const void *data, size_t len) {
    pthread_once(&table_once, table_init);
    const unsigned char *p = data;
    crc = ~crc;
    while (len && ((uintptr_t)p & 7)) {
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
        len--;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

/* "crc32" as well: recent clang (Zig's, which builds the wheel) splits the CRC32 instructions
 * out of SSE 4.2; GCC accepts the name too. */
__attribute__((target("sse4.2,crc32"))) static uint32_t crc32c_hw(uint32_t crc, const void *data,
                                                                  size_t len) {
    const unsigned char *p = data;
    uint64_t c = ~crc;
    while (len && ((uintptr_t)p & 7)) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        len--;
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        len -= 8;
    }
    while (len--)
        c = _mm_crc32_u8((uint32_t)c, *p++);
    return ~(uint32_t)c;
}

int pinetl__crc32c_hw_available(void) { return __builtin_cpu_supports("sse4.2") ? 1 : 0; }

uint32_t pinetl_crc32c(uint32_t crc, const void *data, size_t len) {
    static int hw = -1; /* a benign race: every thread computes the same value */
    int h = __atomic_load_n(&hw, __ATOMIC_RELAXED);
    if (h < 0) {
        h = pinetl__crc32c_hw_available();
        __atomic_store_n(&hw, h, __ATOMIC_RELAXED);
    }
    return h ? crc32c_hw(crc, data, len) : pinetl__crc32c_sw(crc, data, len);
}
#else
int pinetl__crc32c_hw_available(void) { return 0; }

uint32_t pinetl_crc32c(uint32_t crc, const void *data, size_t len) {
    return pinetl__crc32c_sw(crc, data, len);
}
#endif
