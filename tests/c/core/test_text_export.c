/* Text columns handed out for object-making consumers: a text dictionary gives each distinct text one code, across calls, and -1 to null
 * rows, and keeps its texts NUL-separated and intact (texts holding NUL, empty texts). */
#include <stdlib.h>

#include <pinetl/pinetl.h>

#include "check.h"

static void test_dictionary_codes_repeat_across_calls(void) {
    pinetl_text_dict *d = NULL;
    CHECK_INT(pinetl_text_dict_new(&d), PINETL_OK);
    CHECK_INT(pinetl_text_dict_count(d), 0);
    CHECK_INT(pinetl_text_dict_offsets(d)[0], 0);

    /* "diy", "", "a\0b", "diy", "art", null, "" */
    const char data[] = "diya\0bdiyartX";
    const int64_t offsets[] = {0, 3, 3, 6, 9, 12, 13, 13};
    const uint8_t validity[] = {0xDF}; /* row 5 is null */
    int32_t codes[7];
    CHECK_INT(pinetl_text_dict_encode(codes, d, data, offsets, validity, 7), PINETL_OK);
    const int32_t want[] = {0, 1, 2, 0, 3, -1, 1};
    for (int i = 0; i < 7; i++)
        CHECK_INT(codes[i], want[i]);
    CHECK_INT(pinetl_text_dict_count(d), 4);

    /* Stored back to back, each followed by NUL: "diy\0" "\0" "a\0b\0" "art\0". */
    const int64_t *offs = pinetl_text_dict_offsets(d);
    const int64_t want_offs[] = {0, 4, 5, 9, 13};
    for (int i = 0; i < 5; i++)
        CHECK_INT(offs[i], want_offs[i]);
    CHECK(memcmp(pinetl_text_dict_data(d), "diy\0\0a\0b\0art\0", 13) == 0);

    /* A second call: known texts keep their codes, new ones continue the numbering; no
     * validity bitmap means every row has a value. */
    const char more[] = "artnewdiy";
    const int64_t more_offs[] = {0, 3, 6, 9};
    CHECK_INT(pinetl_text_dict_encode(codes, d, more, more_offs, NULL, 3), PINETL_OK);
    CHECK_INT(codes[0], 3);
    CHECK_INT(codes[1], 4);
    CHECK_INT(codes[2], 0);
    CHECK_INT(pinetl_text_dict_count(d), 5);
    pinetl_text_dict_free(d);
}

static void test_dictionary_grows_past_its_first_tables(void) {
    /* 5000 distinct texts of growing length, each seen twice: the hash table and the text
     * store grow several times and every repeat still finds its first code. */
    enum { N = 5000 };
    char *data = malloc((size_t)N * 16);
    int64_t *offsets = malloc((N + 1) * sizeof *offsets);
    int32_t *codes = malloc(N * sizeof *codes);
    pinetl_text_dict *d = NULL;
    CHECK(data && offsets && codes);
    if (!data || !offsets || !codes)
        goto done;
    offsets[0] = 0;
    for (int i = 0; i < N; i++) {
        int len = snprintf(data + offsets[i], 16, "t%0*d", 1 + i % 9, i);
        offsets[i + 1] = offsets[i] + len;
    }
    CHECK_INT(pinetl_text_dict_new(&d), PINETL_OK);
    for (int pass = 0; pass < 2; pass++) {
        CHECK_INT(pinetl_text_dict_encode(codes, d, data, offsets, NULL, N), PINETL_OK);
        int in_order = 1;
        for (int i = 0; i < N; i++)
            in_order &= codes[i] == i;
        CHECK(in_order);
        CHECK_INT(pinetl_text_dict_count(d), N);
    }
    const int64_t *offs = pinetl_text_dict_offsets(d);
    CHECK_MEM(pinetl_text_dict_data(d) + offs[4321], (size_t)(offs[4322] - offs[4321] - 1),
              "t4321");
done:
    pinetl_text_dict_free(d);
    free(data);
    free(offsets);
    free(codes);
}

static void test_dictionary_tells_apart_texts_of_every_length(void) {
    /* Texts of length 0..40 in pairs that differ in their last byte only (the hash reads the
     * tail in overlapping words), 200 rows with every third row null, so rows and nulls fall on
     * both sides of the encoder's chunk boundaries. */
    enum { N = 200 };
    char data[N * 41];
    int64_t offsets[N + 1];
    uint8_t validity[(N + 7) / 8] = {0};
    int32_t codes[N], again[N];
    offsets[0] = 0;
    for (int i = 0; i < N; i++) {
        int len = (i / 2) % 41;
        for (int j = 0; j < len; j++)
            data[offsets[i] + j] = (char)('a' + j % 26);
        if (len)
            data[offsets[i] + len - 1] = (char)('A' + i % 2);
        offsets[i + 1] = offsets[i] + len;
        if (i % 3)
            validity[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    pinetl_text_dict *d = NULL;
    CHECK_INT(pinetl_text_dict_new(&d), PINETL_OK);
    CHECK_INT(pinetl_text_dict_encode(codes, d, data, offsets, validity, N), PINETL_OK);
    CHECK_INT(pinetl_text_dict_encode(again, d, data, offsets, validity, N), PINETL_OK);
    int ok = 1;
    for (int i = 0; i < N; i++) {
        ok &= codes[i] == again[i];
        if (i % 3 == 0) {
            ok &= codes[i] == -1;
            continue;
        }
        /* Equal texts, equal codes; different texts, different codes. */
        for (int j = 0; j < i; j++) {
            if (j % 3 == 0)
                continue;
            size_t li = (size_t)(offsets[i + 1] - offsets[i]),
                   lj = (size_t)(offsets[j + 1] - offsets[j]);
            int same = li == lj && !memcmp(data + offsets[i], data + offsets[j], li);
            ok &= same == (codes[i] == codes[j]);
        }
    }
    CHECK(ok);
    pinetl_text_dict_free(d);
}

static void test_dictionary_rejects_bad_arguments(void) {
    int32_t code;
    const int64_t offsets[] = {0, 1};
    CHECK_INT(pinetl_text_dict_new(NULL), PINETL_EINVAL);
    CHECK_INT(pinetl_text_dict_encode(&code, NULL, "a", offsets, NULL, 1), PINETL_EINVAL);
    pinetl_text_dict *d = NULL;
    CHECK_INT(pinetl_text_dict_new(&d), PINETL_OK);
    CHECK_INT(pinetl_text_dict_encode(NULL, d, "a", offsets, NULL, 1), PINETL_EINVAL);
    CHECK_INT(pinetl_text_dict_encode(NULL, d, NULL, NULL, NULL, 0), PINETL_OK);
    const int64_t bad[] = {1, 0};
    CHECK_INT(pinetl_text_dict_encode(&code, d, "a", bad, NULL, 1), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "offsets decrease") != NULL);
    pinetl_text_dict_free(d);
    pinetl_text_dict_free(NULL);
    CHECK_INT(pinetl_text_dict_count(NULL), 0);
    CHECK(pinetl_text_dict_data(NULL) == NULL);
}

int main(void) {
    RUN(test_dictionary_codes_repeat_across_calls);
    RUN(test_dictionary_grows_past_its_first_tables);
    RUN(test_dictionary_tells_apart_texts_of_every_length);
    RUN(test_dictionary_rejects_bad_arguments);
    return check_done();
}
