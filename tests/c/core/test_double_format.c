/* Spec 2 output: doubles in the shortest form that reads back to the same double, as Python's repr
 * writes it. Expected texts come from Python (tests/c/core/data/double_repr.txt: bits and repr). */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "core_util.h"

static double from_bits(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static uint64_t to_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static void test_tricky_values(void) {
    static const struct {
        uint64_t bits;
        const char *repr;
    } cases[] = {
        {0x3fb999999999999aULL, "0.1"},
        {0x3fd3333333333333ULL, "0.3"},
        {0x3fd5555555555555ULL, "0.3333333333333333"},
        {0x3e7ad7f29abcaf48ULL, "1e-07"},
        {0x3ee4f8b588e368f1ULL, "1e-05"},
        {0x3f1a36e2eb1c432dULL, "0.0001"},
        {0x3f1a36e2eb1c432cULL, "9.999999999999999e-05"},
        {0x430c6bf526340000ULL, "1000000000000000.0"},
        {0x4341c37937e08000ULL, "1e+16"},
        {0x4341c37937e08001ULL, "1.0000000000000002e+16"},
        {0x437b69b4ba630f35ULL, "1.2345678901234568e+17"},
        {0x44b52d02c7e14af6ULL, "1e+23"},
        {0x0000000000000001ULL, "5e-324"},
        {0x0010000000000000ULL, "2.2250738585072014e-308"},
        {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
        {0xc0567ea305532618ULL, "-89.9787"},
        {0xc065a9604189374cULL, "-173.293"},
        {0x3fd3333333333334ULL, "0.30000000000000004"},
        {0x4059000000000000ULL, "100.0"},
        {0x8000000000000000ULL, "-0.0"},
        {0x0ULL, "0.0"},
        {0x430c6bf52633ffffULL, "999999999999999.9"},
        {0x4340000000000000ULL, "9007199254740992.0"},
        {0x4005666666666666ULL, "2.675"},
        {0x01a56e1fc2f8f359ULL, "1e-300"},
        {0x3f202e85be180b74ULL, "0.00012345678901234567"},
        {0x43e56a95319d63e1ULL, "1.2345678901234567e+19"},
        {0x3f0a36e2eb1c432dULL, "5e-05"},
        {0x40667fffffffffffULL, "179.99999999999997"},
        {0xc056800000000000ULL, "-90.0"},
        {0x444b1ae4d6e2ef50ULL, "1e+21"},
        {0x3de07e1fe91b0b70ULL, "1.2e-10"},
        {0x400921fb54442d18ULL, "3.141592653589793"},
    };
    char buf[PINETL_DOUBLE_BUFSIZE];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int n = pinetl_double_format(buf, from_bits(cases[i].bits));
        CHECK_STR(buf, cases[i].repr);
        CHECK_INT(n, (long long)strlen(cases[i].repr));
    }
    pinetl_double_format(buf, INFINITY);
    CHECK_STR(buf, "null");
    pinetl_double_format(buf, NAN);
    CHECK_STR(buf, "null");
}

static void test_python_repr_file(void) {
    size_t len;
    char *d = read_file("tests/c/core/data/double_repr.txt", &len);
    CHECK(d != NULL);
    if (!d)
        return;
    int lines = 0, bad = 0;
    char *save = NULL;
    for (char *line = strtok_r(d, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = 0;
        double v = from_bits(strtoull(line, NULL, 16));
        char buf[PINETL_DOUBLE_BUFSIZE];
        pinetl_double_format(buf, v);
        lines++;
        if (strcmp(buf, sp + 1) != 0) {
            if (bad++ < 10)
                fprintf(stderr, "  %s: got %s, Python %s\n", line, buf, sp + 1);
        }
    }
    CHECK(lines > 6000);
    CHECK_INT(bad, 0);
    free(d);
}

/* Format, then read back through the library's own parser and libc's: the same bits. */
static void test_round_trip_random(void) {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    int bad = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v = from_bits(x);
        if (i & 1)
            v = (double)(int64_t)(x % 360000000) / 1e6 - 180; /* coordinate-like */
        if (!isfinite(v))
            continue;
        char buf[PINETL_DOUBLE_BUFSIZE];
        pinetl_double_format(buf, v);
        double back = strtod(buf, NULL);
        if (to_bits(back) != to_bits(v) && bad++ < 5)
            fprintf(stderr, "  %.17g -> %s\n", v, buf);
    }
    CHECK_INT(bad, 0);
}

int main(void) {
    RUN(test_tricky_values);
    RUN(test_python_repr_file);
    RUN(test_round_trip_random);
    return check_done();
}
