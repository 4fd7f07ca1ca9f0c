/* Batches are independent: threads cleaning different batches of the real sample at once produce
 * output byte-identical to a single-threaded run (no shared mutable state in the core). */
#include <pthread.h>

#include "check.h"
#include "core_util.h"

enum { THREADS = 4, ROUNDS = 5 };

static const pinetl_table tables[3] = { PINETL_TABLE_PIN, PINETL_TABLE_GEO, PINETL_TABLE_USER };
static const char *paths[3] = { "tests/data/real-sample/pin.jsonl", "tests/data/real-sample/geo.jsonl",
                                "tests/data/real-sample/user.jsonl" };
static char *data[3];
static size_t sizes[3];
static char *expected[3];
static size_t expected_len[3];

/* Cleans and renders table t (JSON lines, CSV and rejects); returns the concatenation. */
static char *run(int t, size_t *len)
{
    pinetl_batch *b;
    if (pinetl_batch_new(&b, tables[t])) return NULL;
    add_lines(b, data[t], sizes[t]);
    pinetl__batch_add_record(b, "{\"ind\": \"x\"}", 12, 0, 0);
    const char *j, *c, *r;
    size_t jl, cl, rl;
    pinetl_batch_render(b, PINETL_FORMAT_JSONL, 0, &j, &jl);
    char *out = malloc(jl);
    memcpy(out, j, jl);
    pinetl_batch_render(b, PINETL_FORMAT_CSV, 1, &c, &cl);
    pinetl_batch_render_rejects(b, &r, &rl);
    out = realloc(out, jl + cl + rl);
    memcpy(out + jl, c, cl);
    memcpy(out + jl + cl, r, rl);
    *len = jl + cl + rl;
    pinetl_batch_free(b);
    return out;
}

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    intptr_t mismatches = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int t = (id + round) % 3;
        size_t len;
        char *out = run(t, &len);
        if (!out || len != expected_len[t] || memcmp(out, expected[t], len) != 0) mismatches++;
        free(out);
    }
    return (void *)mismatches;
}

static void test_concurrent(void)
{
    for (int t = 0; t < 3; t++) {
        data[t] = read_file(paths[t], &sizes[t]);
        CHECK(data[t] != NULL);
        if (!data[t]) return;
        expected[t] = run(t, &expected_len[t]);
        CHECK(expected[t] != NULL && expected_len[t] > 100000);
    }
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) CHECK_INT(pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i), 0);
    intptr_t total = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        total += (intptr_t)r;
    }
    CHECK_INT(total, 0);
    for (int t = 0; t < 3; t++) {
        free(data[t]);
        free(expected[t]);
    }
}

/* Errors are per thread. */
static void *set_error(void *arg)
{
    pinetl_batch *b;
    pinetl_batch_new(&b, (pinetl_table)42);
    return (void *)(intptr_t)(strstr(pinetl_error_last(), "unknown table") != NULL);
}

static void test_error_is_thread_local(void)
{
    pthread_t th;
    void *r;
    pinetl_table t;
    pinetl_table_from_name("nope", &t);
    CHECK_INT(pthread_create(&th, NULL, set_error, NULL), 0);
    pthread_join(th, &r);
    CHECK(r != NULL);
    CHECK(strstr(pinetl_error_last(), "'nope'") != NULL);
}

int main(void)
{
    RUN(test_concurrent);
    RUN(test_error_is_thread_local);
    return check_done();
}
