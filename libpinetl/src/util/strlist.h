/* A growable list of owned strings (listings: a folder's objects, a bucket's keys). */
#ifndef PINETL_UTIL_STRLIST_H
#define PINETL_UTIL_STRLIST_H

#include <stddef.h>

typedef struct pinetl__strlist {
    char **items;
    size_t n, cap;
} pinetl__strlist;

/* Appends a copy of s. 0, or -1 when out of memory (l unchanged; no message set). */
int pinetl__strlist_push(pinetl__strlist *l, const char *s);
void pinetl__strlist_free(pinetl__strlist *l);

#endif
