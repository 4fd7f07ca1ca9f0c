/* Benchmark data generator: pin, geo and user JSON lines shaped like the real sample.
 *
 *   cc -O2 -o generate generate.c -lcjson -lm
 *   ./generate --rows N --seed S [--dirt RATE] [--dup-rate R] [--sample DIR] [--out DIR]
 *
 * Reads the real sample (DIR/{pin,geo,user}.jsonl) and writes OUT/{pin,geo,user}-s<S>-n<N>.jsonl
 * (a "-d<RATE>" part is added when the dirt rate is not the default). Line k of the three files is
 * the same post: the same ind. inds are drawn with replacement from a population sized so that the
 * expected share of repeated inds equals the sample's; every field of a post is derived from
 * (seed, ind) alone, so a repeated ind repeats its whole record, as in the source.
 *
 * Fields reproduce the sample: a post takes a random sample row of its table as a template (its
 * category, media type, which fields hold sentinels, downloaded); every other text field comes
 * from a random row of the same category (poster_name and follower_count as a pair), so lengths,
 * non-ASCII text and sentinel rates follow the sample. Countries, names and ages are drawn from
 * their empirical distributions; timestamps and coordinates from the sample's values with a small
 * jitter (a day; 0.1 degree), written with six significant digits like the source.
 *
 * Dirt: each line of each table is, with probability RATE, replaced by one of: truncated JSON,
 * trailing comma, invalid UTF-8 inside a string, a bad or missing key, a blank line, a non-object.
 * Deterministic for a given seed, size and rate. Writes to temporary names and renames at the end,
 * so a file under its final name is always complete. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define DEFAULT_DIRT 0.001

/* ---- random numbers: splitmix64 seeds, xoshiro256** streams ---- */

typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t a, uint64_t b, uint64_t c) {
    uint64_t x = a * 0x9e3779b97f4a7c15ull ^ b * 0xc2b2ae3d27d4eb4full ^ c * 0x165667b19e3779f9ull;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r) {
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static uint64_t rng_below(rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }
static double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* ---- output buffer ---- */

typedef struct {
    char *p;
    size_t len, cap;
} buf;

static void die(const char *what) {
    fprintf(stderr, "generate: %s\n", what);
    exit(1);
}

static void buf_need(buf *b, size_t n) {
    if (b->len + n <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        die("out of memory");
    b->p = p;
    b->cap = cap;
}

static void buf_add(buf *b, const char *s, size_t n) {
    buf_need(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_str(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_fmt(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_fmt(buf *b, const char *fmt, ...) {
    va_list ap;
    buf_need(b, 64);
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        die("format failed");
    if ((size_t)n >= b->cap - b->len) {
        buf_need(b, (size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

/* A JSON string literal as Python's json.dumps(ensure_ascii=False) writes it. */
static char *json_quote(const char *s) {
    buf b = {0};
    buf_add(&b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_str(&b, "\\\""); break;
        case '\\': buf_str(&b, "\\\\"); break;
        case '\n': buf_str(&b, "\\n"); break;
        case '\r': buf_str(&b, "\\r"); break;
        case '\t': buf_str(&b, "\\t"); break;
        case '\b': buf_str(&b, "\\b"); break;
        case '\f': buf_str(&b, "\\f"); break;
        default:
            if (*p < 0x20)
                buf_fmt(&b, "\\u%04x", *p);
            else
                buf_add(&b, (const char *)p, 1);
        }
    }
    buf_add(&b, "\"", 1);
    buf_add(&b, "", 1);
    return b.p;
}

/* ---- the real sample ---- */

enum { P_TITLE, P_DESC, P_POSTER, P_FC, P_TAGS, P_IIV, P_IMG, P_CAT, P_UID, P_NSTR };
static const char *pin_keys[P_NSTR] = {"title",          "description", "poster_name",
                                       "follower_count", "tag_list",    "is_image_or_video",
                                       "image_src",      "category",    "unique_id"};

typedef struct {
    char *q[P_NSTR]; /* quoted JSON strings */
    int sentinel[P_NSTR];
    int downloaded;
    int cat; /* index into categories */
} pin_row;

typedef struct {
    char *country;
    double lat, lon;
    int64_t ts;
} geo_row;
typedef struct {
    char *first, *last;
    int age;
    int64_t joined;
} user_row;

typedef struct {
    int *rows;
    size_t n;
} pool; /* rows of one category usable for one field */

typedef struct {
    pin_row *pin;
    size_t npin;
    geo_row *geo;
    size_t ngeo;
    user_row *user;
    size_t nuser;
    char **cats;
    size_t ncats;
    pool *pools; /* [cat * P_NSTR + field] */
    int64_t ts_min, ts_max, dj_min, dj_max;
} sample;

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "generate: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_add(&b, tmp, n);
    fclose(f);
    buf_add(&b, "", 1);
    *len = b.len - 1;
    return b.p;
}

/* Calls fn on each parsed line of a sample file. */
static size_t each_line(const char *path, void (*fn)(cJSON *, void *, size_t), void *ctx) {
    size_t len, count = 0;
    char *text = read_file(path, &len);
    for (char *line = text; line < text + len;) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl)
            nl = text + len;
        *nl = 0;
        if (nl > line) {
            cJSON *obj = cJSON_Parse(line);
            if (!cJSON_IsObject(obj)) {
                fprintf(stderr, "generate: %s: a line is not a JSON object\n", path);
                exit(1);
            }
            fn(obj, ctx, count++);
            cJSON_Delete(obj);
        }
        line = nl + 1;
    }
    free(text);
    return count;
}

static const char *get_str(cJSON *obj, const char *key) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(v)) {
        fprintf(stderr, "generate: sample field '%s' is not a string\n", key);
        exit(1);
    }
    return v->valuestring;
}

static double get_num(cJSON *obj, const char *key) {
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(v)) {
        fprintf(stderr, "generate: sample field '%s' is not a number\n", key);
        exit(1);
    }
    return v->valuedouble;
}

static int is_sentinel(int field, const char *s) {
    switch (field) {
    case P_TITLE: return !strcmp(s, "No Title Data Available");
    case P_DESC:
        return !strcmp(s, "No description available Story format") ||
               !strcmp(s, "No description available");
    case P_POSTER:
    case P_FC: return !strcmp(s, "User Info Error");
    case P_TAGS: return !strcmp(s, "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e");
    case P_IMG: return !strcmp(s, "Image src error.");
    default: return 0;
    }
}

static void *grow(void *p, size_t n, size_t size) {
    void *q = realloc(p, n * size);
    if (!q)
        die("out of memory");
    return q;
}

static void on_pin(cJSON *obj, void *ctx, size_t i) {
    sample *s = ctx;
    s->pin = grow(s->pin, i + 1, sizeof *s->pin);
    pin_row *r = &s->pin[i];
    for (int f = 0; f < P_NSTR; f++) {
        const char *v = get_str(obj, pin_keys[f]);
        r->q[f] = json_quote(v);
        r->sentinel[f] = is_sentinel(f, v);
    }
    r->downloaded = (int)get_num(obj, "downloaded");
    const char *cat = get_str(obj, "category");
    size_t c;
    for (c = 0; c < s->ncats && strcmp(s->cats[c], cat); c++) {
    }
    if (c == s->ncats) {
        s->cats = grow(s->cats, c + 1, sizeof *s->cats);
        s->cats[c] = strdup(cat);
        if (!s->cats[c])
            die("out of memory");
        s->ncats++;
    }
    r->cat = (int)c;
    s->npin = i + 1;
}

/* "YYYY-MM-DD HH:MM:SS" as seconds since the epoch (UTC). */
static int64_t parse_ts(const char *t) {
    struct tm tm = {0};
    if (sscanf(t, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6) {
        fprintf(stderr, "generate: sample timestamp '%s' has an unexpected form\n", t);
        exit(1);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static void widen(int64_t *lo, int64_t *hi, int64_t v) {
    if (!*lo || v < *lo)
        *lo = v;
    if (!*hi || v > *hi)
        *hi = v;
}

static void on_geo(cJSON *obj, void *ctx, size_t i) {
    sample *s = ctx;
    s->geo = grow(s->geo, i + 1, sizeof *s->geo);
    s->geo[i].country = json_quote(get_str(obj, "country"));
    s->geo[i].lat = get_num(obj, "latitude");
    s->geo[i].lon = get_num(obj, "longitude");
    s->geo[i].ts = parse_ts(get_str(obj, "timestamp"));
    widen(&s->ts_min, &s->ts_max, s->geo[i].ts);
    s->ngeo = i + 1;
}

static void on_user(cJSON *obj, void *ctx, size_t i) {
    sample *s = ctx;
    s->user = grow(s->user, i + 1, sizeof *s->user);
    s->user[i].first = json_quote(get_str(obj, "first_name"));
    s->user[i].last = json_quote(get_str(obj, "last_name"));
    s->user[i].age = (int)get_num(obj, "age");
    s->user[i].joined = parse_ts(get_str(obj, "date_joined"));
    widen(&s->dj_min, &s->dj_max, s->user[i].joined);
    s->nuser = i + 1;
}

static void load_sample(sample *s, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/pin.jsonl", dir);
    each_line(path, on_pin, s);
    snprintf(path, sizeof path, "%s/geo.jsonl", dir);
    each_line(path, on_geo, s);
    snprintf(path, sizeof path, "%s/user.jsonl", dir);
    each_line(path, on_user, s);
    if (!s->npin || !s->ngeo || !s->nuser)
        die("the sample is empty");
    s->pools = calloc(s->ncats * P_NSTR, sizeof *s->pools);
    if (!s->pools)
        die("out of memory");
    for (size_t i = 0; i < s->npin; i++)
        for (int f = 0; f < P_NSTR; f++) {
            if (s->pin[i].sentinel[f])
                continue;
            pool *p = &s->pools[(size_t)s->pin[i].cat * P_NSTR + (size_t)f];
            p->rows = grow(p->rows, p->n + 1, sizeof *p->rows);
            p->rows[p->n++] = (int)i;
        }
}

/* ---- records ---- */

/* A value for field f of a post of category cat: the template's own when it is a sentinel,
 * else the same field of a random row of that category. */
static const pin_row *pick(const sample *s, rng *r, const pin_row *tmpl, int f) {
    if (tmpl->sentinel[f])
        return tmpl;
    const pool *p = &s->pools[(size_t)tmpl->cat * P_NSTR + (size_t)f];
    return p->n ? &s->pin[p->rows[rng_below(r, p->n)]] : tmpl;
}

/* Field-level dirt: invalid UTF-8 written into the first string value. */
static const char *bad_utf8(rng *r) {
    static const char *forms[] = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                  "\xe2\x82"};
    return forms[rng_below(r, sizeof forms / sizeof forms[0])];
}

static void add_key(buf *b, const char *name, int64_t ind, int badkey) {
    if (badkey == 1)
        return; /* missing */
    buf_fmt(b, "\"%s\": ", name);
    switch (badkey) {
    case 2: buf_fmt(b, "\"%" PRId64 "a\"", ind); break;
    case 3: buf_str(b, "null"); break;
    case 4: buf_fmt(b, "-%" PRId64 ".5", ind); break;
    case 5: buf_str(b, "99999999999999999999"); break;
    default: buf_fmt(b, "%" PRId64, ind);
    }
    buf_str(b, ", ");
}

static void add_uuid(buf *b, rng *r) {
    uint64_t a = rng_next(r), c = rng_next(r);
    buf_fmt(b, "\"%08x-%04x-4%03x-%04x-%012" PRIx64 "\"", (unsigned)(a >> 32),
            (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
            (unsigned)(0x8000 | ((c >> 48) & 0x3fff)), (uint64_t)(c & 0xffffffffffffull));
}

static void pin_record(buf *b, const sample *s, uint64_t seed, int64_t ind, int utf8, int badkey,
                       rng *dr) {
    rng r;
    rng_seed(&r, seed, (uint64_t)ind, 1);
    const pin_row *t = &s->pin[rng_below(&r, s->npin)];
    const pin_row *poster = pick(s, &r, t, P_POSTER);
    buf_str(b, "{");
    add_key(b, "index", ind, badkey);
    buf_str(b, "\"unique_id\": ");
    add_uuid(b, &r);
    buf_str(b, ", \"title\": ");
    const char *title = pick(s, &r, t, P_TITLE)->q[P_TITLE];
    if (utf8) { /* keep it a string: corrupt its first byte after the quote */
        buf_str(b, "\"");
        buf_str(b, bad_utf8(dr));
        buf_str(b, title + 1);
    } else {
        buf_str(b, title);
    }
    buf_str(b, ", \"description\": ");
    buf_str(b, pick(s, &r, t, P_DESC)->q[P_DESC]);
    buf_str(b, ", \"poster_name\": ");
    buf_str(b, poster->q[P_POSTER]);
    buf_str(b, ", \"follower_count\": ");
    buf_str(b, poster->q[P_FC]);
    buf_str(b, ", \"tag_list\": ");
    buf_str(b, pick(s, &r, t, P_TAGS)->q[P_TAGS]);
    buf_str(b, ", \"is_image_or_video\": ");
    buf_str(b, t->q[P_IIV]);
    buf_str(b, ", \"image_src\": ");
    buf_str(b, pick(s, &r, t, P_IMG)->q[P_IMG]);
    buf_fmt(
        b, ", \"downloaded\": %d, \"save_location\": \"Local save in /data/%s\", \"category\": %s}",
        t->downloaded, s->cats[t->cat], t->q[P_CAT]);
}

static void add_ts(buf *b, int64_t secs) {
    time_t t = (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_fmt(b, "\"%04d-%02d-%02d %02d:%02d:%02d\"", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
            tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A sample time moved by up to a day either way, kept inside the sample's range. */
static int64_t near(rng *r, int64_t t, int64_t lo, int64_t hi) {
    t += (int64_t)rng_below(r, 2 * 86400 + 1) - 86400;
    return t < lo ? lo : t > hi ? hi : t;
}

/* Six significant digits, as the source writes them; a float keeps a '.' like Python's repr. */
static void add_coord(buf *b, double v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.6g", v);
    buf_str(b, tmp);
    if (!strpbrk(tmp, ".en"))
        buf_str(b, ".0");
}

static double jitter(rng *r, double v, double limit) {
    v += (rng_unit(r) - 0.5) * 0.2;
    if (v > limit)
        v = 2 * limit - v; /* reflect: keeps the sample's pile-up near the poles */
    if (v < -limit)
        v = -2 * limit - v;
    return v;
}

static void geo_record(buf *b, const sample *s, uint64_t seed, int64_t ind, int utf8, int badkey,
                       rng *dr) {
    rng r;
    rng_seed(&r, seed, (uint64_t)ind, 2);
    const geo_row *c = &s->geo[rng_below(&r, s->ngeo)];
    const geo_row *ll = &s->geo[rng_below(&r, s->ngeo)];
    buf_str(b, "{");
    add_key(b, "ind", ind, badkey);
    buf_str(b, "\"timestamp\": ");
    add_ts(b, near(&r, s->geo[rng_below(&r, s->ngeo)].ts, s->ts_min, s->ts_max));
    buf_str(b, ", \"latitude\": ");
    add_coord(b, jitter(&r, ll->lat, 90));
    buf_str(b, ", \"longitude\": ");
    add_coord(b, jitter(&r, ll->lon, 180));
    buf_str(b, ", \"country\": ");
    if (utf8) {
        buf_str(b, "\"");
        buf_str(b, bad_utf8(dr));
        buf_str(b, c->country + 1);
    } else {
        buf_str(b, c->country);
    }
    buf_str(b, "}");
}

static void user_record(buf *b, const sample *s, uint64_t seed, int64_t ind, int utf8, int badkey,
                        rng *dr) {
    rng r;
    rng_seed(&r, seed, (uint64_t)ind, 3);
    const user_row *f = &s->user[rng_below(&r, s->nuser)];
    const user_row *l = &s->user[rng_below(&r, s->nuser)];
    const user_row *a = &s->user[rng_below(&r, s->nuser)];
    buf_str(b, "{");
    add_key(b, "ind", ind, badkey);
    buf_str(b, "\"first_name\": ");
    if (utf8) {
        buf_str(b, "\"");
        buf_str(b, bad_utf8(dr));
        buf_str(b, f->first + 1);
    } else {
        buf_str(b, f->first);
    }
    buf_str(b, ", \"last_name\": ");
    buf_str(b, l->last);
    buf_fmt(b, ", \"age\": %d, \"date_joined\": ", a->age);
    add_ts(b, near(&r, s->user[rng_below(&r, s->nuser)].joined, s->dj_min, s->dj_max));
    buf_str(b, "}");
}

typedef void (*record_fn)(buf *, const sample *, uint64_t, int64_t, int, int, rng *);

/* Kinds of dirty line. */
enum { D_TRUNCATED, D_TRAILING_COMMA, D_UTF8, D_BAD_KEY, D_BLANK, D_NOT_OBJECT, D_KINDS };

/* Appends one line (record or dirt) and the newline. counts[kind] tallies dirt. */
static void add_line(buf *b, record_fn fn, const sample *s, uint64_t seed, int64_t ind, double dirt,
                     rng *dr, long *counts) {
    int kind = -1;
    if (dirt > 0 && rng_unit(dr) < dirt)
        kind = (int)rng_below(dr, D_KINDS);
    size_t start = b->len;
    switch (kind) {
    case D_BLANK: buf_str(b, rng_below(dr, 2) ? "" : "  \t"); break;
    case D_NOT_OBJECT:
        buf_fmt(b, rng_below(dr, 2) ? "[%" PRId64 ", \"x\"]" : "\"ind %" PRId64 "\"", ind);
        break;
    case D_UTF8: fn(b, s, seed, ind, 1, 0, dr); break;
    case D_BAD_KEY: fn(b, s, seed, ind, 0, 1 + (int)rng_below(dr, 5), dr); break;
    default: fn(b, s, seed, ind, 0, 0, dr);
    }
    if (kind == D_TRUNCATED) {
        size_t cut = start + (b->len - start) / 3 + rng_below(dr, (b->len - start) / 3 + 1);
        while (cut > start && ((unsigned char)b->p[cut] & 0xc0) == 0x80)
            cut--; /* stay UTF-8 */
        b->len = cut;
    } else if (kind == D_TRAILING_COMMA) {
        b->len--; /* the closing brace */
        buf_str(b, ", }");
    }
    if (kind >= 0)
        counts[kind]++;
    buf_add(b, "\n", 1);
}

/* Population size whose draws with replacement repeat the given share of values:
 * E[distinct]/n = (1 - e^-x)/x with x = n/P. */
static double population(double n, double dup) {
    if (dup <= 0)
        return n * 1e6;
    double lo = 1e-9, hi = 50;
    for (int i = 0; i < 200; i++) {
        double x = (lo + hi) / 2;
        if ((1 - exp(-x)) / x > 1 - dup)
            lo = x;
        else
            hi = x;
    }
    return n / lo;
}

static void usage(void) {
    fprintf(stderr, "usage: generate --rows N --seed S [--dirt RATE] [--dup-rate R] "
                    "[--sample DIR] [--out DIR]\n");
    exit(2);
}

int main(int argc, char **argv) {
    long long rows = 1000000;
    unsigned long long seed = 1;
    double dirt = DEFAULT_DIRT, dup = -1;
    const char *sample_dir = "tests/data/real-sample", *out_dir = "bench/out";
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (!strcmp(argv[i], "--rows"))
            rows = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--dirt"))
            dirt = atof(argv[++i]);
        else if (!strcmp(argv[i], "--dup-rate"))
            dup = atof(argv[++i]);
        else if (!strcmp(argv[i], "--sample"))
            sample_dir = argv[++i];
        else if (!strcmp(argv[i], "--out"))
            out_dir = argv[++i];
        else
            usage();
    }
    if (rows < 1 || dirt < 0 || dirt > 1)
        usage();

    sample s = {0};
    load_sample(&s, sample_dir);
    if (dup < 0) { /* the sample's own share of repeated inds */
        int64_t max = 0;
        char path[4096];
        snprintf(path, sizeof path, "%s/geo.jsonl", sample_dir);
        size_t len;
        char *text = read_file(path, &len);
        size_t n = 0, cap = 0;
        int64_t *keys = NULL;
        for (char *p = strstr(text, "\"ind\": "); p; p = strstr(p + 1, "\"ind\": ")) {
            if (n == cap)
                keys = grow(keys, cap = cap ? cap * 2 : 1024, sizeof *keys);
            keys[n++] = strtoll(p + 7, NULL, 10);
            if (keys[n - 1] > max)
                max = keys[n - 1];
        }
        char *seen = calloc((size_t)max + 1, 1);
        if (!seen)
            die("out of memory");
        size_t distinct = 0;
        for (size_t i = 0; i < n; i++)
            if (!seen[keys[i]]++)
                distinct++;
        dup = n ? 1.0 - (double)distinct / (double)n : 0;
        free(seen);
        free(keys);
        free(text);
    }
    double pop = population((double)rows, dup);

    char names[3][4096], tmps[3][4200];
    const char *tables[3] = {"pin", "geo", "user"};
    record_fn fns[3] = {pin_record, geo_record, user_record};
    char dirt_part[64] = "";
    if (dirt != DEFAULT_DIRT)
        snprintf(dirt_part, sizeof dirt_part, "-d%g", dirt);
    mkdir(out_dir, 0777);
    FILE *files[3];
    for (int t = 0; t < 3; t++) {
        int n = snprintf(names[t], sizeof names[t], "%s/%s-s%llu-n%lld%s.jsonl", out_dir, tables[t],
                         seed, rows, dirt_part);
        if (n < 0 || (size_t)n >= sizeof names[t] ||
            snprintf(tmps[t], sizeof tmps[t], "%s.tmp", names[t]) >= (int)sizeof tmps[t]) {
            fprintf(stderr, "generate: the --out folder's path is too long\n");
            return 1;
        }
        /* The rename at the end replaces whatever is there: only ever a regular file (as
         * pinetl.files.check_target, for the Python writers), checked before anything opens. */
        struct stat st;
        for (int k = 0; k < 2; k++)
            if (stat(k ? tmps[t] : names[t], &st) == 0 && !S_ISREG(st.st_mode)) {
                fprintf(stderr,
                        "generate: %s exists and is not a regular file: an atomic write would "
                        "replace it; give another --out folder\n",
                        k ? tmps[t] : names[t]);
                return 1;
            }
    }
    for (int t = 0; t < 3; t++) {
        files[t] = fopen(tmps[t], "wb");
        if (!files[t]) {
            fprintf(stderr, "generate: cannot write %s: %s\n", tmps[t], strerror(errno));
            return 1;
        }
    }

    rng draw, dr[3];
    rng_seed(&draw, seed, 0, 0);
    for (int t = 0; t < 3; t++)
        rng_seed(&dr[t], seed, 0, 10 + (uint64_t)t);
    long counts[3][D_KINDS] = {{0}};
    buf out[3] = {{0}};
    for (long long i = 0; i < rows; i++) {
        int64_t ind = 1 + (int64_t)rng_below(&draw, (uint64_t)pop);
        for (int t = 0; t < 3; t++) {
            add_line(&out[t], fns[t], &s, seed, ind, dirt, &dr[t], counts[t]);
            if (out[t].len > (1u << 20)) {
                if (fwrite(out[t].p, 1, out[t].len, files[t]) != out[t].len)
                    die("write failed");
                out[t].len = 0;
            }
        }
    }
    for (int t = 0; t < 3; t++) {
        if (fwrite(out[t].p, 1, out[t].len, files[t]) != out[t].len || fclose(files[t]))
            die("write failed");
        if (rename(tmps[t], names[t]))
            die("rename failed");
        long total = 0;
        for (int k = 0; k < D_KINDS; k++)
            total += counts[t][k];
        fprintf(stderr,
                "%s: %lld lines, %ld dirty (truncated %ld, trailing comma %ld, bad utf-8 %ld, "
                "bad key %ld, blank %ld, not an object %ld)\n",
                names[t], rows, total, counts[t][0], counts[t][1], counts[t][2], counts[t][3],
                counts[t][4], counts[t][5]);
    }
    fprintf(stderr, "ind population %.0f (repeat share %.4f)\n", pop, dup);
    return 0;
}
