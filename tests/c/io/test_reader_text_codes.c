/* pinetl_reader_text_codes: the workers' dictionary codes name exactly the batch's texts. A
 * consumer that keeps each dictionary's new texts, batch by batch, turns every code back into
 * the row's text (nulls are -1); codes continue where the dictionary's last batch left off; a
 * column of distinct texts stops being encoded (codes NULL) and its texts stay in the batch. */
#include <unistd.h>

#include "check.h"
#include "io_util.h"

enum { MAX_DICTS = 8, MAX_CODES = 1 << 15 };

static char path[64];
static void remove_tmp(void) { unlink(path); }

/* rows pins: unique_id distinct, category one of five (with a non-ASCII one), title null every
 * seventh row, and a reject every 1000th line. */
static const char *write_pins(int rows) {
    static const char *categories[] = {"diy", "art", "\\u00e9t\\u00e9", "", "travel"};
    snprintf(path, sizeof path, "/tmp/pinetl-text-codes-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        exit(99);
    FILE *f = fdopen(fd, "w");
    if (!f)
        exit(99);
    for (int i = 0; i < rows; i++) {
        if (i % 1000 == 999) {
            fprintf(f, "{\"index\": \"bad\"}\n");
            continue;
        }
        fprintf(f,
                "{\"index\": %d, \"unique_id\": \"id-%d\", \"title\": %s%s%s, "
                "\"category\": \"%s\"}\n",
                i, i, i % 7 ? "\"title " : "null", i % 7 ? (i % 2 ? "odd" : "even") : "",
                i % 7 ? "\"" : "", categories[i % 5]);
    }
    fclose(f);
    return path;
}

/* What a consumer keeps of one column: per dictionary, the text of each code. */
typedef struct known {
    sbuf text[MAX_DICTS][1];
    int64_t offs[MAX_DICTS][MAX_CODES + 1];
    size_t count[MAX_DICTS];
} known;

typedef struct tally {
    size_t rows, coded_rows, coded_batches, plain_batches, mismatches, gaps;
} tally;

static void take_batch(pinetl_reader *r, const pinetl_batch *b, int column, known *k, tally *t) {
    pinetl_text_codes tc;
    CHECK_INT(pinetl_reader_text_codes(&tc, r, column), PINETL_OK);
    size_t n = pinetl_batch_rows(b);
    t->rows += n;
    if (!tc.codes) {
        t->plain_batches++;
        return;
    }
    t->coded_batches++;
    t->coded_rows += n;
    if (tc.dict < 0 || tc.dict >= MAX_DICTS) {
        t->mismatches++;
        return;
    }
    size_t d = (size_t)tc.dict;
    if (tc.first_new != k->count[d] || k->count[d] + tc.new_count > MAX_CODES) {
        t->gaps++;
        return;
    }
    for (size_t i = 0; i < tc.new_count; i++) { /* each new text ends with a NUL */
        size_t len = (size_t)(tc.new_offsets[i + 1] - tc.new_offsets[i]);
        if (len == 0 || tc.new_data[tc.new_offsets[i + 1] - 1] != '\0')
            t->mismatches++;
        k->offs[d][k->count[d]] = (int64_t)k->text[d]->len;
        sbuf_add(k->text[d], tc.new_data + tc.new_offsets[i], len);
        k->count[d]++;
    }
    k->offs[d][k->count[d]] = (int64_t)k->text[d]->len;
    const uint8_t *valid = pinetl_batch_validity(b, column);
    const char *data = pinetl_batch_text_data(b, column);
    const int64_t *offs = pinetl_batch_text_offsets(b, column);
    for (size_t row = 0; row < n; row++) {
        int32_t code = tc.codes[row];
        if (!(valid[row >> 3] >> (row & 7) & 1)) {
            t->mismatches += code != -1;
            continue;
        }
        if (code < 0 || (size_t)code >= k->count[d]) {
            t->mismatches++;
            continue;
        }
        size_t len = (size_t)(offs[row + 1] - offs[row]);
        const char *want = k->text[d]->p + k->offs[d][code];
        if ((size_t)(k->offs[d][code + 1] - k->offs[d][code]) != len + 1 ||
            memcmp(want, data + offs[row], len) != 0)
            t->mismatches++;
    }
}

static void read_columns(const char *p, int threads, size_t batch_bytes, tally *uid, tally *cat,
                         known *kcat) {
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    o.threads = threads;
    o.batch_bytes = batch_bytes;
    o.dict_columns =
        1u << PINETL_PIN_UNIQUE_ID | 1u << PINETL_PIN_TITLE | 1u << PINETL_PIN_CATEGORY;
    known *kuid = calloc(1, sizeof *kuid), *ktitle = calloc(1, sizeof *ktitle);
    if (!kuid || !ktitle)
        exit(99);
    memset(uid, 0, sizeof *uid);
    memset(cat, 0, sizeof *cat);
    tally title = {0};
    pinetl_reader *r = NULL;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &p, 1, &o), PINETL_OK);
    pinetl_batch *b;
    int rc;
    while ((rc = pinetl_reader_step(&b, r)) == PINETL_BATCH) {
        take_batch(r, b, PINETL_PIN_UNIQUE_ID, kuid, uid);
        take_batch(r, b, PINETL_PIN_TITLE, ktitle, &title);
        take_batch(r, b, PINETL_PIN_CATEGORY, kcat, cat);
    }
    CHECK_INT(rc, PINETL_DONE);
    CHECK_INT(title.mismatches + title.gaps, 0);
    CHECK_INT(title.plain_batches, 0);
    pinetl_reader_free(r);
    for (int d = 0; d < MAX_DICTS; d++) {
        sbuf_free(kuid->text[d]);
        sbuf_free(ktitle->text[d]);
    }
    free(kuid);
    free(ktitle);
}

static void test_codes_name_the_texts(void) {
    const char *p = write_pins(20000);
    for (int threads = 1; threads <= 4; threads *= 2) { /* 1, 2, 4 dictionaries */
        tally uid, cat;
        known *kcat = calloc(1, sizeof *kcat);
        if (!kcat)
            exit(99);
        read_columns(p, threads, 64 * 1024, &uid, &cat, kcat);
        CHECK_INT(uid.rows, 20000);
        CHECK_INT(cat.mismatches + cat.gaps + uid.mismatches + uid.gaps, 0);
        /* category: every batch coded, five texts per dictionary at most. */
        CHECK_INT(cat.plain_batches, 0);
        size_t total = 0;
        for (int d = 0; d < MAX_DICTS; d++) {
            CHECK(kcat->count[d] <= 4); /* "" cleans to null */
            total += kcat->count[d];
            sbuf_free(kcat->text[d]);
        }
        CHECK(total >= 4);
        /* unique_id: distinct, so each dictionary gives up after its trial rows. */
        CHECK(uid.plain_batches > 0);
        CHECK(uid.coded_batches > 0);
        if (threads == 1)
            CHECK(uid.coded_rows < 4096 + 1000); /* trial rows + one batch */
        free(kcat);
    }
}

static void test_bad_requests(void) {
    const char *p = "tests/data/real-sample/pin.jsonl";
    pinetl_reader_options o;
    pinetl_reader_options_init(&o, PINETL_READER_OPTIONS_VERSION);
    pinetl_reader *r = NULL;
    o.dict_columns = 1u << PINETL_PIN_FOLLOWER_COUNT; /* not a text column */
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &p, 1, &o), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "not a text column") != NULL);
    o.dict_columns = 1u << 20; /* past the table's columns */
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &p, 1, &o), PINETL_EINVAL);
    o.dict_columns = 1u << PINETL_PIN_TITLE;
    o.columns = 1u << PINETL_PIN_CATEGORY; /* title is not cleaned */
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &p, 1, &o), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "'title'") != NULL);
    o.columns = 0;
    CHECK_INT(pinetl_reader_open(&r, PINETL_TABLE_PIN, &p, 1, &o), PINETL_OK);
    pinetl_text_codes tc;
    CHECK_INT(pinetl_reader_text_codes(&tc, r, PINETL_PIN_TITLE), PINETL_EINVAL); /* no batch */
    pinetl_batch *b;
    CHECK_INT(pinetl_reader_step(&b, r), PINETL_BATCH);
    CHECK_INT(pinetl_reader_text_codes(&tc, r, PINETL_PIN_TITLE), PINETL_OK);
    CHECK(tc.codes != NULL);
    CHECK_INT(pinetl_reader_text_codes(&tc, r, PINETL_PIN_CATEGORY), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_text_codes(&tc, r, -1), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_text_codes(NULL, r, PINETL_PIN_TITLE), PINETL_EINVAL);
    CHECK_INT(pinetl_reader_text_codes(&tc, NULL, PINETL_PIN_TITLE), PINETL_EINVAL);
    pinetl_reader_free(r);
}

int main(void) {
    atexit(remove_tmp);
    RUN(test_codes_name_the_texts);
    RUN(test_bad_requests);
    return check_done();
}
