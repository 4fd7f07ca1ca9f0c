/* pinetl load + pinetl insights: JSON / CSV / table output, the warehouse path (--db) and the
 * in-memory path (--pin --geo --user) print exactly the same, on raw and on cleaned files alike;
 * reloading is idempotent; per-table counts go to stderr; usage errors are reported. The binary comes from PINETL_EXE (set by meson). */
#include <cjson/cJSON.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "gen_data.h"

static const char *exe;
static char dir[] = "/tmp/pinetl-cli-XXXXXX";

/* Runs a shell command; returns its exit status and its stdout in *out (malloc'd). */
static int run(const char *cmd, char **out) {
    FILE *p = popen(cmd, "r");
    size_t len = 0, cap = 65536;
    char *s = malloc(cap);
    if (!p || !s) {
        if (p)
            pclose(p);
        free(s);
        *out = NULL;
        return -1;
    }
    size_t n;
    while ((n = fread(s + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 4096) {
            char *t = realloc(s, cap *= 2);
            if (!t)
                break;
            s = t;
        }
    }
    s[len] = '\0';
    int status = pclose(p);
    *out = s;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int runf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int runf(char **out, const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char *ignored = NULL;
    int rc = run(cmd, out ? out : &ignored);
    free(ignored);
    return rc;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Loads three inputs into db, then checks that every format prints the same from both paths. */
static void check_paths_agree(const char *pin, const char *geo, const char *user, const char *db) {
    CHECK_INT(runf(NULL, "%s load --quiet --db %s --table pin %s", exe, db, pin), 0);
    CHECK_INT(runf(NULL, "%s load --quiet --db %s --table geo %s", exe, db, geo), 0);
    CHECK_INT(runf(NULL, "%s load --quiet --db %s --table user %s", exe, db, user), 0);
    const char *variants[] = {"--format json",
                              "--format csv",
                              "--format table",
                              "",
                              "--format json --median interpolated",
                              "--format csv top_user_by_country users_joined_by_year"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char *a = NULL, *b = NULL;
        CHECK_INT(runf(&a, "%s insights --db %s %s", exe, db, variants[i]), 0);
        CHECK_INT(runf(&b, "%s insights --pin %s --geo %s --user %s %s", exe, pin, geo, user,
                       variants[i]),
                  0);
        CHECK(a && b && strlen(a) > 100 && !strcmp(a, b));
        if (a && b && strcmp(a, b))
            fprintf(stderr, "  outputs differ for '%s'\n", variants[i]);
        free(a);
        free(b);
    }
}

static void test_real_sample(void) {
    char db[64];
    snprintf(db, sizeof db, "%s/real.db", dir);
    check_paths_agree("tests/data/real-sample/pin.jsonl", "tests/data/real-sample/geo.jsonl",
                      "tests/data/real-sample/user.jsonl", db);

    /* JSON: one object keyed by insight name, in the spec's order; each a list of rows with the
     * spec's column names. */
    char *out = NULL;
    CHECK_INT(runf(&out, "%s insights --db %s --format json", exe, db), 0);
    cJSON *root = out ? cJSON_Parse(out) : NULL;
    CHECK(cJSON_IsObject(root));
    int i = 0;
    for (cJSON *t = root ? root->child : NULL; t; t = t->next, i++) {
        CHECK_STR(t->string, pinetl_insight_name(i));
        CHECK(cJSON_IsArray(t) && cJSON_GetArraySize(t) > 0);
        cJSON *row = cJSON_GetArrayItem(t, 0);
        CHECK(cJSON_IsObject(row));
        if (i == PINETL_INSIGHT_MEDIAN_FOLLOWERS_BY_AGE_GROUP_AND_JOIN_YEAR && row) {
            CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, "age_group")));
            CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(row, "post_year")));
            CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(row, "median_follower_count")));
        }
        if (i == PINETL_INSIGHT_TOP_CATEGORY_BY_COUNTRY && row) {
            CHECK(cJSON_GetObjectItemCaseSensitive(row, "country") != NULL);
            CHECK(cJSON_GetObjectItemCaseSensitive(row, "category") != NULL);
            CHECK(cJSON_GetObjectItemCaseSensitive(row, "category_count") != NULL);
        }
    }
    CHECK_INT(i, PINETL_INSIGHT_COUNT);
    cJSON_Delete(root);
    free(out);

    /* CSV of one insight: a plain CSV with its header. */
    CHECK_INT(runf(&out, "%s insights --db %s --format csv users_joined_by_year", exe, db), 0);
    CHECK(out && !strncmp(out, "post_year,number_users_joined\n2015,", 35));
    free(out);

    /* Reloading changes nothing: same rows, same insights. */
    char *before = NULL, *after = NULL;
    CHECK_INT(runf(&before, "%s insights --db %s --format json", exe, db), 0);
    CHECK_INT(
        runf(NULL, "%s load --quiet --db %s --table pin tests/data/real-sample/pin.jsonl", exe, db),
        0);
    CHECK_INT(
        runf(&out, "%s load --db %s --table geo tests/data/real-sample/geo.jsonl 2>&1", exe, db),
        0);
    CHECK(out && strstr(out, " 0 rows stored") != NULL);
    free(out);
    CHECK_INT(runf(&after, "%s insights --db %s --format json", exe, db), 0);
    CHECK(before && after && !strcmp(before, after));
    free(before);
    free(after);
}

static void test_generated(void) {
    char *pin, *geo, *user;
    gen_tables(42, 3000, &pin, &geo, &user);
    char p[64], g[64], u[64], db[64];
    snprintf(p, sizeof p, "%s/pin.jsonl", dir);
    snprintf(g, sizeof g, "%s/geo.jsonl", dir);
    snprintf(u, sizeof u, "%s/user.jsonl", dir);
    snprintf(db, sizeof db, "%s/gen.db", dir);
    write_file(p, pin);
    write_file(g, geo);
    write_file(u, user);
    check_paths_agree(p, g, u, db);
    free(pin);
    free(geo);
    free(user);
}

/* Cleans the three tables with pinetl clean, then checks that insights on the cleaned files (in
 * memory, mixed with raw ones, and through a warehouse loaded from them) equal those on raw. */
static void check_cleaned_agree(const char *pin, const char *geo, const char *user,
                                const char *tag) {
    const char *raw[3] = {pin, geo, user};
    char clean[3][96], db[96];
    for (int t = 0; t < 3; t++) {
        snprintf(clean[t], sizeof clean[t], "%s/%s-%s.clean.jsonl", dir, tag,
                 pinetl_table_name((pinetl_table)t));
        CHECK_INT(runf(NULL, "%s clean --quiet --table %s %s > %s 2>/dev/null", exe,
                       pinetl_table_name((pinetl_table)t), raw[t], clean[t]),
                  0);
    }
    const char *variants[] = {"--format json", "--format json --median interpolated",
                              "--format csv top_user_by_country users_joined_by_year"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        char *a = NULL, *b = NULL, *c = NULL;
        CHECK_INT(runf(&a, "%s insights --quiet --pin %s --geo %s --user %s %s", exe, pin, geo,
                       user, variants[i]),
                  0);
        CHECK_INT(runf(&b, "%s insights --quiet --pin %s --geo %s --user %s %s", exe, clean[0],
                       clean[1], clean[2], variants[i]),
                  0);
        CHECK_INT(runf(&c, "%s insights --quiet --pin %s --geo %s --user %s %s", exe, clean[0], geo,
                       clean[2], variants[i]),
                  0);
        CHECK(a && b && c && strlen(a) > 100 && !strcmp(a, b) && !strcmp(a, c));
        if (a && b && c && (strcmp(a, b) || strcmp(a, c)))
            fprintf(stderr, "  %s: raw and cleaned differ for '%s'\n", tag, variants[i]);
        free(a);
        free(b);
        free(c);
    }
    /* A warehouse loaded from the cleaned files gives the in-memory results of the raw files. */
    snprintf(db, sizeof db, "%s/%s-cleaned.db", dir, tag);
    for (int t = 0; t < 3; t++)
        CHECK_INT(runf(NULL, "%s load --quiet --db %s --table %s %s", exe, db,
                       pinetl_table_name((pinetl_table)t), clean[t]),
                  0);
    char *a = NULL, *b = NULL;
    CHECK_INT(runf(&a, "%s insights --quiet --pin %s --geo %s --user %s --format json", exe, pin,
                   geo, user),
              0);
    CHECK_INT(runf(&b, "%s insights --db %s --format json", exe, db), 0);
    CHECK(a && b && strlen(a) > 100 && !strcmp(a, b));
    free(a);
    free(b);
}

static void test_cleaned_input(void) {
    check_cleaned_agree("tests/data/real-sample/pin.jsonl", "tests/data/real-sample/geo.jsonl",
                        "tests/data/real-sample/user.jsonl", "real");
    char *pin, *geo, *user;
    gen_tables(7, 3000, &pin, &geo, &user);
    char p[64], g[64], u[64];
    snprintf(p, sizeof p, "%s/gen7-pin.jsonl", dir);
    snprintf(g, sizeof g, "%s/gen7-geo.jsonl", dir);
    snprintf(u, sizeof u, "%s/gen7-user.jsonl", dir);
    write_file(p, pin);
    write_file(g, geo);
    write_file(u, user);
    check_cleaned_agree(p, g, u, "gen");
    free(pin);
    free(geo);
    free(user);
}

/* With input files, each table's counts go to stderr; rejects are named, and a table with no
 * cleaned record is called out (an empty result is never silent). */
static void test_counts_on_stderr(void) {
    char *out = NULL;
    CHECK_INT(runf(&out,
                   "%s insights --pin tests/data/real-sample/pin.jsonl"
                   " --geo tests/data/real-sample/geo.jsonl top_category_by_country"
                   " 2>&1 >/dev/null",
                   exe),
              0);
    CHECK(out && strstr(out, "pin: 2262 records read, 2262 cleaned, 0 rejected\n"));
    CHECK(out && strstr(out, "geo: 2262 records read, 2262 cleaned, 0 rejected\n"));
    free(out);
    char bad[64];
    snprintf(bad, sizeof bad, "%s/bad-user.jsonl", dir);
    write_file(bad, "{\"x\": 1}\n[1]\n");
    CHECK_INT(runf(&out, "%s insights --user %s users_joined_by_year 2>&1 >/dev/null", exe, bad),
              0);
    CHECK(out && strstr(out, "user: 2 records read, 0 cleaned, 2 rejected (not_an_object: 1,"
                             " bad_key: 1)\n"));
    CHECK(out && strstr(out, "bad-user.jsonl:1: field 'ind' is missing\n"));
    CHECK(out && strstr(out, "no user record could be cleaned"));
    free(out);
    CHECK_INT(
        runf(&out, "%s insights --quiet --user %s users_joined_by_year 2>&1 >/dev/null", exe, bad),
        0);
    CHECK(out && !strcmp(out, ""));
    free(out);
}

static void test_usage_errors(void) {
    CHECK_INT(runf(NULL, "%s insights --db x.db --pin y 2>/dev/null", exe), 2);
    CHECK_INT(runf(NULL, "%s insights 2>/dev/null", exe), 2);
    CHECK_INT(
        runf(NULL, "%s insights --pin tests/data/real-sample/pin.jsonl no_such 2>/dev/null", exe),
        2);
    char *out = NULL;
    CHECK_INT(runf(&out,
                   "%s insights --pin tests/data/real-sample/pin.jsonl"
                   " top_category_by_country 2>&1",
                   exe),
              2);
    CHECK(out && strstr(out, "needs --geo"));
    free(out);
    CHECK_INT(runf(NULL, "%s insights --format xml --db x 2>/dev/null", exe), 2);
    CHECK_INT(runf(NULL, "%s insights --db %s/none.db 2>/dev/null", exe, dir), 1);
    CHECK_INT(runf(NULL, "%s load --table pin x 2>/dev/null", exe), 2);
    CHECK_INT(runf(&out, "%s insights --list", exe), 0);
    CHECK(out && strstr(out, "median_followers_by_age_group_and_join_year\n"));
    free(out);
}

int main(void) {
    exe = getenv("PINETL_EXE");
    CHECK(exe != NULL);
    CHECK(mkdtemp(dir) != NULL);
    if (exe) {
        RUN(test_real_sample);
        RUN(test_generated);
        RUN(test_cleaned_input);
        RUN(test_counts_on_stderr);
        RUN(test_usage_errors);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    return check_done();
}
