/* The spec's columns, table by table (section 2): which raw key feeds which column by which rule. */
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

/* A text field decoded to dst: its length, 0 when null, -1 when null with a warning. dst has room
 * for v->len bytes. *esc is set when the text needs escaping in JSON. */
static long text_value(const json_value *v, const sentinels *sent, char *dst, int *esc) {
    long n;
    switch (v->type) {
    case JSON_NULL: return 0;
    case JSON_STRING:
        n = pinetl__json_string_decode(v, dst);
        if (n <= 0)
            return n < 0 ? -1 : 0;
        if (is_null_text(dst, (size_t)n, sent))
            return 0;
        if (v->escaped && needs_escape(dst, (size_t)n))
            *esc = 1;
        return n;
    case JSON_NUMBER:
    case JSON_TRUE:
    case JSON_FALSE: memcpy(dst, v->start, v->len); return (long)v->len;
    default: return -1;
    }
}

static void set_null(pinetl_batch *b, int ci, size_t r, int warn) {
    column *c = &b->cols[ci];
    bit_clear(c->validity, r);
    switch (c->type) {
    case PINETL_TYPE_TEXT: pinetl__text_null(c, r); break;
    case PINETL_TYPE_COORDS: c->coords[2 * r] = c->coords[2 * r + 1] = 0; break;
    default: c->i64[r] = 0; break;
    }
    if (warn)
        b->warnings[r] |= 1u << ci;
}

static void set_i64(pinetl_batch *b, int ci, size_t r, int rule, int64_t v) {
    if (rule != RULE_VALUE) {
        set_null(b, ci, r, rule == RULE_WARN);
        return;
    }
    bit_set(b->cols[ci].validity, r);
    b->cols[ci].i64[r] = v;
}

/* With text views: a string without escapes is its input bytes, so it is pointed to where it
 * lies when a region of the batch holds it. 1 when stored (value or null), 0 when not. */
static int put_text_in_place(pinetl_batch *b, int ci, size_t r, const json_value *f,
                             const sentinels *sent, int save_location) {
    if (f->type != JSON_STRING || f->escaped || f->len < 2)
        return 0;
    const char *s = f->start + 1;
    size_t n = f->len - 2, start = 0;
    int null = is_null_text(s, n, sent);
    if (!null && save_location && !pinetl__rule_save_location(s, n, &start, &n))
        null = 1;
    column *c = &b->cols[ci];
    if (null) {
        set_null(b, ci, r, 0);
        return 1;
    }
    if (!pinetl__text_ref(b, c, r, s + start, n))
        return 0;
    bit_set(c->validity, r);
    return 1;
}

/* Column ci of row r from field f (present or not) by the text rule. */
static int put_text(pinetl_batch *b, int ci, size_t r, const json_value *f, int present,
                    const sentinels *sent, int save_location) {
    column *c = &b->cols[ci];
    if (!present || f->type == JSON_NULL) {
        set_null(b, ci, r, 0);
        return 0;
    }
    if (c->viewed && put_text_in_place(b, ci, r, f, sent, save_location))
        return 0;
    char *dst = pinetl__text_room(c, r, f->len);
    if (!dst)
        return -1;
    int esc = 0;
    long n = text_value(f, sent, dst, &esc);
    if (n > 0 && save_location) {
        size_t start, len;
        if (!pinetl__rule_save_location(dst, (size_t)n, &start, &len)) {
            n = 0;
        } else if (start) {
            memmove(dst, dst + start, len);
            n = (long)len;
        }
    }
    if (n <= 0) {
        set_null(b, ci, r, n < 0);
        return 0;
    }
    bit_set(c->validity, r);
    pinetl__text_commit(c, r, dst, (size_t)n);
    if (esc)
        b->escape[r] |= 1u << ci;
    return 0;
}

/* Columns left out of the selection are null without a look at their field. */
static int selected(const pinetl_batch *b, int ci) { return (b->select >> ci) & 1; }

static int clean_pin(pinetl_batch *b, size_t r, const json_value *f, uint32_t present) {
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
        if (!selected(b, ci)) {
            set_null(b, ci, r, 0);
            continue;
        }
        int has = (present >> ci) & 1;
        if (ci == PINETL_PIN_FOLLOWER_COUNT) {
            int64_t v = 0;
            int rule = has ? pinetl__rule_follower_count(&f[ci], b->scratch.p, &v) : RULE_NULL;
            set_i64(b, ci, r, rule, v);
            continue;
        }
        if (put_text(b, ci, r, &f[ci], has, sent[ci], ci == PINETL_PIN_SAVE_LOCATION))
            return -1;
    }
    return 0;
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
static void geo_coordinates(pinetl_batch *b, size_t r, const json_value *f, uint32_t present) {
    double lat = 0, lon = 0;
    int rl, ro;
    if (!(present & (1u << GEO_LATITUDE | 1u << GEO_LONGITUDE)) &&
        (present >> GEO_COORDINATES) & 1) {
        coordinates_pair(&f[GEO_COORDINATES], b->scratch.p, &rl, &ro, &lat, &lon);
    } else {
        rl = (present >> GEO_LATITUDE) & 1
                 ? pinetl__rule_double(&f[GEO_LATITUDE], b->scratch.p, &lat)
                 : RULE_NULL;
        ro = (present >> GEO_LONGITUDE) & 1
                 ? pinetl__rule_double(&f[GEO_LONGITUDE], b->scratch.p, &lon)
                 : RULE_NULL;
    }
    if (rl == RULE_VALUE && !(lat >= -90 && lat <= 90))
        rl = RULE_WARN;
    if (ro == RULE_VALUE && !(lon >= -180 && lon <= 180))
        ro = RULE_WARN;
    column *c = &b->cols[PINETL_GEO_COORDINATES];
    if (rl == RULE_VALUE && ro == RULE_VALUE) {
        bit_set(c->validity, r);
        c->coords[2 * r] = lat;
        c->coords[2 * r + 1] = lon;
    } else {
        /* A bad part is worth a warning even when the other part is simply missing. */
        set_null(b, PINETL_GEO_COORDINATES, r, rl == RULE_WARN || ro == RULE_WARN);
    }
}

static int clean_geo(pinetl_batch *b, size_t r, const json_value *f, uint32_t present) {
    if (!selected(b, PINETL_GEO_COUNTRY))
        set_null(b, PINETL_GEO_COUNTRY, r, 0);
    else if (put_text(b, PINETL_GEO_COUNTRY, r, &f[GEO_COUNTRY], (present >> GEO_COUNTRY) & 1,
                      &no_sentinel, 0))
        return -1;
    if (selected(b, PINETL_GEO_COORDINATES))
        geo_coordinates(b, r, f, present);
    else
        set_null(b, PINETL_GEO_COORDINATES, r, 0);
    if (selected(b, PINETL_GEO_TIMESTAMP)) {
        int64_t t = 0;
        int rt = (present >> GEO_TIMESTAMP) & 1
                     ? pinetl__rule_timestamp(&f[GEO_TIMESTAMP], b->scratch.p, &t)
                     : RULE_NULL;
        set_i64(b, PINETL_GEO_TIMESTAMP, r, rt, t);
    } else {
        set_null(b, PINETL_GEO_TIMESTAMP, r, 0);
    }
    return 0;
}

static int clean_user(pinetl_batch *b, size_t r, const json_value *f, uint32_t present) {
    int64_t v = 0;
    int ra = !selected(b, PINETL_USER_AGE) ? RULE_NULL
             : (present >> USER_AGE) & 1   ? pinetl__rule_age(&f[USER_AGE], b->scratch.p, &v)
                                           : RULE_NULL;
    set_i64(b, PINETL_USER_AGE, r, ra, v);
    int rt = !selected(b, PINETL_USER_DATE_JOINED) ? RULE_NULL
             : (present >> USER_DATE_JOINED) & 1
                 ? pinetl__rule_timestamp(&f[USER_DATE_JOINED], b->scratch.p, &v)
                 : RULE_NULL;
    set_i64(b, PINETL_USER_DATE_JOINED, r, rt, v);

    if (!selected(b, PINETL_USER_USER_NAME)) {
        set_null(b, PINETL_USER_USER_NAME, r, 0);
        return 0;
    }
    if (!(present & (1u << USER_FIRST_NAME | 1u << USER_LAST_NAME)) &&
        (present >> USER_USER_NAME) & 1)
        return put_text(b, PINETL_USER_USER_NAME, r, &f[USER_USER_NAME], 1, &no_sentinel, 0);
    column *c = &b->cols[PINETL_USER_USER_NAME];
    int has_first = (present >> USER_FIRST_NAME) & 1, has_last = (present >> USER_LAST_NAME) & 1;
    size_t room =
        (has_first ? f[USER_FIRST_NAME].len : 0) + 1 + (has_last ? f[USER_LAST_NAME].len : 0);
    char *dst = pinetl__text_room(c, r, room);
    if (!dst)
        return -1;
    int esc = 0, warn = 0;
    long n1 = has_first ? text_value(&f[USER_FIRST_NAME], &no_sentinel, dst, &esc) : 0;
    if (n1 < 0) {
        warn = 1;
        n1 = 0;
    }
    long pos = n1;
    if (n1)
        dst[pos++] = ' ';
    long n2 = has_last ? text_value(&f[USER_LAST_NAME], &no_sentinel, dst + pos, &esc) : 0;
    if (n2 < 0) {
        warn = 1;
        n2 = 0;
    }
    if (n2)
        pos += n2;
    else if (n1)
        pos--; /* no last name: drop the space */
    if (pos == 0) {
        /* Warned only when the name is null because a part could not be cleaned. */
        set_null(b, PINETL_USER_USER_NAME, r, warn);
    } else {
        bit_set(c->validity, r);
        pinetl__text_commit(c, r, dst, (size_t)pos);
        if (esc)
            b->escape[r] |= 1u << PINETL_USER_USER_NAME;
    }
    return 0;
}

int pinetl__clean_fill_fields(pinetl_batch *b, size_t r, const json_value *f, uint32_t present) {
    switch (b->table) {
    case PINETL_TABLE_PIN: return clean_pin(b, r, f, present);
    case PINETL_TABLE_GEO: return clean_geo(b, r, f, present);
    default: return clean_user(b, r, f, present);
    }
}
