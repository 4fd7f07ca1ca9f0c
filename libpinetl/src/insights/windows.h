/* The year windows the insights count (spec section 3), in one place: the in-memory insights
 * (dataset.h) and the warehouse's SQL views (views.c, as text) both use these. */
#ifndef PINETL_INSIGHTS_WINDOWS_H
#define PINETL_INSIGHTS_WINDOWS_H

/* Plain integer macros, so that SQL text can be built from them at compile time. */
#define PINETL__FIRST_POST_YEAR 2018
#define PINETL__LAST_POST_YEAR 2022
#define PINETL__FIRST_JOIN_YEAR 2015
#define PINETL__LAST_JOIN_YEAR 2020

#define PINETL__STR_(x) #x
#define PINETL__STR(x) PINETL__STR_(x)

/* " BETWEEN <first> AND <last>" for SQL. */
#define PINETL__POST_YEARS_SQL \
    " BETWEEN " PINETL__STR(PINETL__FIRST_POST_YEAR) " AND " PINETL__STR(PINETL__LAST_POST_YEAR)
#define PINETL__JOIN_YEARS_SQL \
    " BETWEEN " PINETL__STR(PINETL__FIRST_JOIN_YEAR) " AND " PINETL__STR(PINETL__LAST_JOIN_YEAR)

#endif
