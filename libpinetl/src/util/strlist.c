/* The growable string list (strlist.h). */
#include "strlist.h"

#include <string.h>

#include "alloc.h"

int pinetl__strlist_push(pinetl__strlist *l, const char *s) {
    if (pinetl__alloc_reserve(&l->items, &l->cap, l->n + 1, sizeof *l->items, 16))
        return -1;
    if (!(l->items[l->n] = pinetl__strdup(s)))
        return -1;
    l->n++;
    return 0;
}

void pinetl__strlist_free(pinetl__strlist *l) {
    for (size_t i = 0; i < l->n; i++)
        pinetl__free(l->items[i]);
    pinetl__free(l->items);
    memset(l, 0, sizeof *l);
}
