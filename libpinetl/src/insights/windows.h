/* The year windows the insights count (spec section 3), in one place: the in-memory insights
 * (dataset.h) and the insights' SQL for every dialect (sql.c) both use these. */
#ifndef PINETL_INSIGHTS_WINDOWS_H
#define PINETL_INSIGHTS_WINDOWS_H

#define PINETL__FIRST_POST_YEAR 2018
#define PINETL__LAST_POST_YEAR 2022
#define PINETL__FIRST_JOIN_YEAR 2015
#define PINETL__LAST_JOIN_YEAR 2020

#endif
