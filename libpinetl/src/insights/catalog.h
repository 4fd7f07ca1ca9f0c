/* The insights' names and columns, as spec section 3 lists them. */
#ifndef PINETL_INSIGHTS_CATALOG_H
#define PINETL_INSIGHTS_CATALOG_H

#include <pinetl/insights.h>

typedef struct insight_info {
    const char *name;
    size_t ncols;
    const char *cols[3];
    unsigned tables;     /* bit per source table */
} insight_info;

extern const insight_info pinetl__catalog_insights[PINETL_INSIGHT_COUNT];

/* The insights that options select, in order, without repeats: fills ids (room for
 * PINETL_INSIGHT_COUNT) and returns how many, or a negative code for an unknown name. */
int pinetl__catalog_selection(const pinetl_insights_options *options, int *ids);

#endif
