/* The last-error message may be prefixed with itself: pinetl__error_set(rc, "%s: %s", path,
 * pinetl_error_last()) is how a layer says where an error happened (serve's config loader does
 * it). Formatting into the buffer being read garbled the message ("c.json: c.json: me ..."). */
#include "check.h"
#include "util/error.h"

static void test_prefix_with_current_message(void) {
    pinetl__error_set(PINETL_EINVAL, "name '%s' is not a topic name", "..");
    CHECK_INT(pinetl__error_set(PINETL_EINVAL, "%s: %s", "c.json", pinetl_error_last()),
              PINETL_EINVAL);
    CHECK_STR(pinetl_error_last(), "c.json: name '..' is not a topic name");
}

static void test_message_as_suffix_and_middle(void) {
    pinetl__error_set(PINETL_EIO, "disk full");
    pinetl__error_set(PINETL_EIO, "[%s] while writing %s (%s)", pinetl_error_last(), "f",
                      pinetl_error_last());
    CHECK_STR(pinetl_error_last(), "[disk full] while writing f (disk full)");
}

static void test_long_prefix_truncates_cleanly(void) {
    char path[600];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    pinetl__error_set(PINETL_EIO, "short");
    pinetl__error_set(PINETL_EIO, "%s: %s", path, pinetl_error_last());
    const char *m = pinetl_error_last();
    CHECK_INT(strlen(m), 511);
    CHECK_INT(strspn(m, "p"), 511);
}

int main(void) {
    RUN(test_prefix_with_current_message);
    RUN(test_message_as_suffix_and_middle);
    RUN(test_long_prefix_truncates_cleanly);
    return check_done();
}
