/* The age groups of spec section 3, youngest first: the one place their bounds are written. The
 * scalar functions (pinetl_age_group, pinetl_age_group_index), the in-memory insights and the
 * insights' SQL for every dialect (insights/sql.c) all read this table. */
#ifndef PINETL_CORE_AGE_GROUPS_H
#define PINETL_CORE_AGE_GROUPS_H

#include <stdint.h>

#include <pinetl/scalar.h>

typedef struct pinetl__age_group {
    int64_t first, last; /* ages first..last; last is INT64_MAX for the open-ended group */
    const char *name;
} pinetl__age_group;

extern const pinetl__age_group pinetl__age_groups[PINETL_AGE_GROUP_COUNT];

#endif
