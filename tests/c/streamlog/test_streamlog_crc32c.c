/* CRC-32C: the standard check value, known vectors, and the hardware path equals the table path
 * for every length and alignment (and when continued piecewise). */
#include <stdlib.h>

#include <pinetl/streamlog.h>

#include "check.h"
#include "streamlog/crc32c.h"

static void test_check_values(void) {
    CHECK_INT(pinetl_crc32c(0, "123456789", 9), 0xE3069283u);
    CHECK_INT(pinetl__crc32c_sw(0, "123456789", 9), 0xE3069283u);
    CHECK_INT(pinetl_crc32c(0, "", 0), 0);
    unsigned char zeros[32] = {0}, ones[32];
    memset(ones, 0xff, sizeof ones);
    /* RFC 3720 (iSCSI) B.4 test vectors. */
    CHECK_INT(pinetl_crc32c(0, zeros, 32), 0x8A9136AAu);
    CHECK_INT(pinetl_crc32c(0, ones, 32), 0x62A8AB43u);
    unsigned char inc[32];
    for (int i = 0; i < 32; i++)
        inc[i] = (unsigned char)i;
    CHECK_INT(pinetl_crc32c(0, inc, 32), 0x46DD794Eu);
}

static void test_hw_equals_sw(void) {
    fprintf(stderr, "SSE4.2 crc32: %s\n", pinetl__crc32c_hw_available() ? "yes" : "no");
    enum { N = 4096 };
    unsigned char *buf = malloc(N + 16);
    CHECK(buf != NULL);
    if (!buf)
        return;
    unsigned x = 12345;
    for (int i = 0; i < N + 16; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    int bad = 0;
    for (size_t align = 0; align < 8; align++)
        for (size_t len = 0; len < 300; len++) {
            uint32_t a = pinetl_crc32c(0, buf + align, len);
            uint32_t b = pinetl__crc32c_sw(0, buf + align, len);
            uint32_t split = pinetl_crc32c(pinetl_crc32c(0, buf + align, len / 3),
                                           buf + align + len / 3, len - len / 3);
            bad += a != b || a != split;
        }
    CHECK_INT(bad, 0);
    CHECK_INT(pinetl_crc32c(0, buf, N), pinetl__crc32c_sw(0, buf, N));
    free(buf);
}

int main(void) {
    RUN(test_check_values);
    RUN(test_hw_equals_sw);
    return check_done();
}
