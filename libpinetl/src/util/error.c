/* Thread-local last error, fixed descriptions of result codes, the library version. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pinetl/common.h>
#include <pinetl/version.h>

#include "error.h"

static _Thread_local char last_error[512];

/* Formats into a scratch buffer first: a caller may pass the current message as an argument
 * (pinetl__error_set(rc, "%s: %s", path, pinetl_error_last()), prefixing where it happened), and
 * vsnprintf into the buffer it is reading from is undefined (it garbled such messages). */
int pinetl__error_set(int code, const char *fmt, ...) {
    char next[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(next, sizeof next, fmt, ap);
    va_end(ap);
    memcpy(last_error, next, sizeof last_error);
    return code;
}

int pinetl__error_options(const char *call, const void *options, unsigned version, unsigned want) {
    if (!options || version == want)
        return PINETL_OK;
    return pinetl__error_set(PINETL_EINVAL,
                             "%s: options of version %u (expected %u: set them up with the "
                             "matching _options_init)",
                             call, version, want);
}

const char *pinetl_error_last(void) { return last_error; }

const char *pinetl_strerror(int code) {
    switch (code) {
    case PINETL_OK: return "ok";
    case PINETL_ERROR: return "internal error";
    case PINETL_ENOMEM: return "out of memory";
    case PINETL_EINVAL: return "invalid argument";
    case PINETL_EIO: return "input/output error";
    case PINETL_EFORMAT: return "unusable input format";
    case PINETL_ESQL: return "SQLite error";
    case PINETL_ENOTFOUND: return "not found";
    case PINETL_BATCH: return "a batch is ready";
    case PINETL_DONE: return "no more input";
    default: return "unknown result code";
    }
}

const char *pinetl_version(void) { return PINETL_VERSION_STRING; }

int pinetl_version_number(void) { return PINETL_VERSION_NUMBER; }
