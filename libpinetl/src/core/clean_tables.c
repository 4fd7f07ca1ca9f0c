/* The spec's columns, table by table (section 2): which raw key feeds which column by which rule,
 * as one clean_value per column (clean.h); where the values go is the caller's choice. */
#include <string.h>

#include "clean.h"
#include "rules.h"

enum {
    PIN_INDEX,
    PIN_UNIQUE_ID,
    PIN_TITLE,
    PIN_DESCRIPTION,
    PIN_FOLLOWER_COUNT,
    PIN_POSTER_NAME,
    PIN_TAG_LIST,
    PIN_IS_IMAGE_OR_VIDEO,
    PIN_IMAGE_SRC,
    PIN_SAVE_LOCATION,
    PIN_CATEGORY,
    PIN_IND = CLEAN_PIN_IND
};
/* The last field of each table is the cleaned column's name: read only when the raw fields are
 * absent, so that cleaned records are valid input (spec 2, "Cleaned records as input"). */
enum { GEO_IND, GEO_COUNTRY, GEO_LATITUDE, GEO_LONGITUDE, GEO_TIMESTAMP, GEO_COORDINATES };
enum { USER_IND, USER_FIRST_NAME, USER_LAST_NAME, USER_AGE, USER_DATE_JOINED, USER_USER_NAME };

#define IS(lit) (memcmp(k, lit, sizeof lit - 1) == 0)

/* Keys are matched by length, then bytes. */
static int pin_field(const char *k, size_t n) {
    switch (n) {
    case 3: return IS("ind") ? PIN_IND : -1;
    case 5: return IS("index") ? PIN_INDEX : IS("title") ? PIN_TITLE : -1;
    case 8: return IS("tag_list") ? PIN_TAG_LIST : IS("category") ? PIN_CATEGORY : -1;
    case 9: return IS("unique_id") ? PIN_UNIQUE_ID : IS("image_src") ? PIN_IMAGE_SRC : -1;
    case 11: return IS("description") ? PIN_DESCRIPTION : IS("poster_name") ? PIN_POSTER_NAME : -1;
    case 13: return IS("save_location") ? PIN_SAVE_LOCATION : -1;
    case 14: return IS("follower_count") ? PIN_FOLLOWER_COUNT : -1;
    case 17: return IS("is_image_or_video") ? PIN_IS_IMAGE_OR_VIDEO : -1;
    default: return -1;
    }
}

static int geo_field(const char *k, size_t n) {
    switch (n) {
    case 3: return IS("ind") ? GEO_IND : -1;
    case 7: return IS("country") ? GEO_COUNTRY : -1;
    case 8: return IS("latitude") ? GEO_LATITUDE : -1;
    case 9: return IS("longitude") ? GEO_LONGITUDE : IS("timestamp") ? GEO_TIMESTAMP : -1;
    case 11: return IS("coordinates") ? GEO_COORDINATES : -1;
    default: return -1;
    }
}

static int user_field(const char *k, size_t n) {
    switch (n) {
    case 3: return IS("ind") ? USER_IND : IS("age") ? USER_AGE : -1;
    case 9: return IS("last_name") ? USER_LAST_NAME : IS("user_name") ? USER_USER_NAME : -1;
    case 10: return IS("first_name") ? USER_FIRST_NAME : -1;
    case 11: return IS("date_joined") ? USER_DATE_JOINED : -1;
    default: return -1;
    }
}

int pinetl__clean_field_index(pinetl_table table, const char *key, size_t len) {
    switch (table) {
    case PINETL_TABLE_PIN: return pin_field(key, len);
    case PINETL_TABLE_GEO: return geo_field(key, len);
    default: return user_field(key, len);
    }
}

typedef struct sentinels {
    const char *s[2];
    unsigned char n[2];
} sentinels;

static const sentinels no_sentinel = {{NULL, NULL}, {0, 0}};
static const sentinels title_sentinel = {{"No Title Data Available", NULL}, {23, 0}};
static const sentinels description_sentinels = {
    {"No description available Story format", "No description available"}, {37, 24}};
static const sentinels user_info_sentinel = {{"User Info Error", NULL}, {15, 0}};
static const sentinels tag_sentinel = {{"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", NULL}, {33, 0}};
static const sentinels image_sentinel = {{"Image src error.", NULL}, {16, 0}};

static int needs_escape(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\')
            return 1;
    }
    return 0;
}

/* A text that is empty, blank or a sentinel is null. */
static int is_null_text(const char *s, size_t n, const sentinels *sent) {
    if (!n || (pinetl__json_is_space((unsigned char)s[0]) && pinetl__rule_is_blank(s, n)))
        return 1;
    for (int i = 0; i < 2 && sent->s[i]; i++)
        if (n == sent->n[i] && memcmp(s, sent->s[i], n) == 0)
            return 1;
    return 0;
}

/* Decoded texts go to the caller's text buffer, one after the other. */
typedef struct text_buf {
    char *p;
} text_buf;

/* A text field by the text rule into *v: an unescaped string is its bytes where they lie, an
 * escaped one is decoded into tb, a number or boolean is its JSON text. Inlined: it runs for
 * every text of every row, and a call costs more than its common path. */
static inline __attribute__((always_inline)) void
text_value(const json_value *f, const sentinels *sent, text_buf *tb, clean_value *v) {
    v->state = RULE_NULL;
    switch (f->type) {
    case JSON_NULL: return;
    case JSON_STRING: {
        const char *s = f->start + 1;
        long n = (long)f->len - 2;
        if (f->escaped) {
            n = pinetl__json_string_decode(f, tb->p);
            if (n < 0) {
                v->state = RULE_WARN;
                return;
            }
            s = tb->p;
        }
        if (is_null_text(s, (size_t)n, sent))
            return;
        if (f->escaped) {
            tb->p += n;
            v->esc = needs_escape(s, (size_t)n);
        } else {
            v->in_place = 1;
        }
        v->state = RULE_VALUE;
        v->s = s;
        v->n = (size_t)n;
        return;
    }
    case JSON_NUMBER:
    case JSON_TRUE:
    case JSON_FALSE:
        v->state = RULE_VALUE;
        v->s = f->start;
        v->n = f->len;
        return;
    default: v->state = RULE_WARN; return;
    }
}

static void int_value(clean_value *v, int rule, int64_t i) {
    v->state = rule;
    if (rule == RULE_VALUE)
        v->i64 = i;
}

static void clean_pin(uint32_t select, const json_value *f, uint32_t present, char *scratch,
                      text_buf *tb, clean_value *v) {
    static const sentinels *const sent[PINETL_PIN_COLUMNS] = {NULL,
                                                              &no_sentinel,
                                                              &title_sentinel,
                                                              &description_sentinels,
                                                              NULL,
                                                              &user_info_sentinel,
                                                              &tag_sentinel,
                                                              &no_sentinel,
                                                              &image_sentinel,
                                                              &no_sentinel,
                                                              &no_sentinel};
    for (int ci = 1; ci < PINETL_PIN_COLUMNS; ci++) {
        if (!((select >> ci) & 1) || !((present >> ci) & 1))
            continue;
        if (ci == PINETL_PIN_FOLLOWER_COUNT) {
            int64_t n = 0;
            int rule = pinetl__rule_follower_count(&f[ci], scratch, &n);
            int_value(&v[ci], rule, n);
            continue;
        }
        text_value(&f[ci], sent[ci], tb, &v[ci]);
        size_t start, len;
        if (ci == PINETL_PIN_SAVE_LOCATION && v[ci].state == RULE_VALUE) {
            if (!pinetl__rule_save_location(v[ci].s, v[ci].n, &start, &len)) {
                v[ci].state = RULE_NULL;
            } else {
                v[ci].s += start;
                v[ci].n = len;
            }
        }
    }
}

/* A cleaned record's "coordinates": [latitude, longitude], each by the latitude/longitude rule.
 * null is null; any other shape is null with a warning. */
static void coordinates_pair(const json_value *v, char *scratch, int *rl, int *ro, double *lat,
                             double *lon) {
    json_value e[2], extra;
    json_iter it;
    *rl = *ro = v->type == JSON_NULL ? RULE_NULL : RULE_WARN;
    if (v->type != JSON_ARRAY)
        return;
    pinetl__json_iter_array(&it, v);
    if (!pinetl__json_iter_element(&it, &e[0]) || !pinetl__json_iter_element(&it, &e[1]) ||
        pinetl__json_iter_element(&it, &extra))
        return;
    *rl = pinetl__rule_double(&e[0], scratch, lat);
    *ro = pinetl__rule_double(&e[1], scratch, lon);
}

/* geo's coordinates column from latitude and longitude, or a cleaned record's pair. */
static void geo_coordinates(const json_value *f, uint32_t present, char *scratch, clean_value *v) {
    double lat = 0, lon = 0;
    int rl, ro;
    if (!(present & (1u << GEO_LATITUDE | 1u << GEO_LONGITUDE)) &&
        (present >> GEO_COORDINATES) & 1) {
        coordinates_pair(&f[GEO_COORDINATES], scratch, &rl, &ro, &lat, &lon);
    } else {
        rl = (present >> GEO_LATITUDE) & 1 ? pinetl__rule_double(&f[GEO_LATITUDE], scratch, &lat)
                                           : RULE_NULL;
        ro = (present >> GEO_LONGITUDE) & 1 ? pinetl__rule_double(&f[GEO_LONGITUDE], scratch, &lon)
                                            : RULE_NULL;
    }
    if (rl == RULE_VALUE && !(lat >= -90 && lat <= 90))
        rl = RULE_WARN;
    if (ro == RULE_VALUE && !(lon >= -180 && lon <= 180))
        ro = RULE_WARN;
    if (rl == RULE_VALUE && ro == RULE_VALUE) {
        v->state = RULE_VALUE;
        v->xy[0] = lat;
        v->xy[1] = lon;
    } else {
        /* A bad part is worth a warning even when the other part is simply missing. */
        v->state = rl == RULE_WARN || ro == RULE_WARN ? RULE_WARN : RULE_NULL;
    }
}

static void clean_geo(uint32_t select, const json_value *f, uint32_t present, char *scratch,
                      text_buf *tb, clean_value *v) {
    if ((select >> PINETL_GEO_COUNTRY) & 1 && (present >> GEO_COUNTRY) & 1)
        text_value(&f[GEO_COUNTRY], &no_sentinel, tb, &v[PINETL_GEO_COUNTRY]);
    if ((select >> PINETL_GEO_COORDINATES) & 1)
        geo_coordinates(f, present, scratch, &v[PINETL_GEO_COORDINATES]);
    if ((select >> PINETL_GEO_TIMESTAMP) & 1 && (present >> GEO_TIMESTAMP) & 1) {
        int64_t t = 0;
        int rt = pinetl__rule_timestamp(&f[GEO_TIMESTAMP], scratch, &t);
        int_value(&v[PINETL_GEO_TIMESTAMP], rt, t);
    }
}

/* A name part into the text buffer (so that the two parts end up side by side): its length, 0
 * when null, -1 when null with a warning. */
static long name_part(const json_value *f, text_buf *tb, int *esc) {
    clean_value part = {0};
    char *dst = tb->p;
    text_value(f, &no_sentinel, tb, &part);
    if (part.state != RULE_VALUE)
        return part.state == RULE_WARN ? -1 : 0;
    if (part.s != dst) /* in place (or a number's text): copy it next to the other part */
        memcpy(dst, part.s, part.n);
    tb->p = dst + part.n;
    *esc |= part.esc;
    return (long)part.n;
}

static void clean_user(uint32_t select, const json_value *f, uint32_t present, char *scratch,
                       text_buf *tb, clean_value *v) {
    int64_t n = 0;
    if ((select >> PINETL_USER_AGE) & 1 && (present >> USER_AGE) & 1) {
        int ra = pinetl__rule_age(&f[USER_AGE], scratch, &n);
        int_value(&v[PINETL_USER_AGE], ra, n);
    }
    if ((select >> PINETL_USER_DATE_JOINED) & 1 && (present >> USER_DATE_JOINED) & 1) {
        int rt = pinetl__rule_timestamp(&f[USER_DATE_JOINED], scratch, &n);
        int_value(&v[PINETL_USER_DATE_JOINED], rt, n);
    }

    if (!((select >> PINETL_USER_USER_NAME) & 1))
        return;
    clean_value *u = &v[PINETL_USER_USER_NAME];
    if (!(present & (1u << USER_FIRST_NAME | 1u << USER_LAST_NAME))) {
        if ((present >> USER_USER_NAME) & 1)
            text_value(&f[USER_USER_NAME], &no_sentinel, tb, u);
        return;
    }
    char *dst = tb->p;
    int esc = 0, warn = 0;
    long n1 = (present >> USER_FIRST_NAME) & 1 ? name_part(&f[USER_FIRST_NAME], tb, &esc) : 0;
    if (n1 < 0) {
        warn = 1;
        n1 = 0;
    }
    if (n1)
        *tb->p++ = ' ';
    long n2 = (present >> USER_LAST_NAME) & 1 ? name_part(&f[USER_LAST_NAME], tb, &esc) : 0;
    if (n2 < 0) {
        warn = 1;
        n2 = 0;
    }
    long pos = (long)(tb->p - dst);
    if (!n2 && n1)
        pos--; /* no last name: drop the space */
    if (pos == 0) {
        /* Warned only when the name is null because a part could not be cleaned. */
        u->state = warn ? RULE_WARN : RULE_NULL;
        return;
    }
    u->state = RULE_VALUE;
    u->s = dst;
    u->n = (size_t)pos;
    u->esc = esc;
}

void pinetl__clean_values(pinetl_table table, uint32_t select, const json_value *f,
                          uint32_t present, char *scratch, char *text, clean_value *v) {
    text_buf tb = {text};
    memset(v + 1, 0, (size_t)(pinetl_column_count(table) - 1) * sizeof *v);
    switch (table) {
    case PINETL_TABLE_PIN: clean_pin(select, f, present, scratch, &tb, v); break;
    case PINETL_TABLE_GEO: clean_geo(select, f, present, scratch, &tb, v); break;
    default: clean_user(select, f, present, scratch, &tb, v); break;
    }
}
