/* The thread-local last-error message behind pinetl_error_last(). Every layer sets it through
 * this header and nothing else. */
#ifndef PINETL_UTIL_ERROR_H
#define PINETL_UTIL_ERROR_H

#include <pinetl/common.h>

/* Sets the thread-local last-error message (printf style) and returns code. */
int pinetl__error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
