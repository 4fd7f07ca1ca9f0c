/* The thread-local last-error message behind pinetl_error_last(). Every layer sets it through
 * this header and nothing else. */
#ifndef PINETL_UTIL_ERROR_H
#define PINETL_UTIL_ERROR_H

#include <pinetl/common.h>

/* Sets the thread-local last-error message (printf style) and returns code. The arguments may
 * include pinetl_error_last() itself (to prefix the current message with where it happened). */
int pinetl__error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Options structs carry the version their _init set: PINETL_OK when options is NULL or has
 * version `want`, else PINETL_EINVAL naming the call (an uninitialised or newer struct). */
int pinetl__error_options(const char *call, const void *options, unsigned version, unsigned want);

#endif
