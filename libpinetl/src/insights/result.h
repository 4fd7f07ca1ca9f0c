/* Building results (pinetl_insights): used by the in-memory insights and by the warehouse, so both
 * hand out the same type. Values are set on the last row of the last table. */
#ifndef PINETL_INSIGHTS_RESULT_H
#define PINETL_INSIGHTS_RESULT_H

#include <pinetl/insights.h>

typedef struct res_cell {
    int type;            /* a pinetl_value_type */
    int64_t i;
    double d;
    size_t off, len;     /* text: bytes in the result's text arena */
} res_cell;

typedef struct res_table {
    char *name;
    size_t ncols;
    char **colnames;
    size_t nrows, cap;
    res_cell *cells;     /* nrows * ncols, row-major */
} res_table;

struct pinetl_insights {
    res_table *tables;
    size_t count, cap;
    char *text;          /* every text value, NUL-terminated */
    size_t tlen, tcap;
};

int pinetl__result_new(pinetl_insights **out);
/* Starts a table (names are copied). */
int pinetl__result_table(pinetl_insights *r, const char *name, size_t ncols, const char *const *colnames);
/* Appends a row of nulls to the last table. */
int pinetl__result_row(pinetl_insights *r);
void pinetl__result_set_int(pinetl_insights *r, size_t col, int64_t v);
void pinetl__result_set_real(pinetl_insights *r, size_t col, double v);
int pinetl__result_set_text(pinetl_insights *r, size_t col, const char *s, size_t len);

#endif
