/* Identity of an open file against its path: see file_id.h. */
#include "file_id.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <pinetl/common.h>

#include "error.h"

static void from_stat(pinetl__file_id *out, const struct stat *sb) {
    out->dev = (unsigned long long)sb->st_dev;
    out->ino = (unsigned long long)sb->st_ino;
}

int pinetl__file_id_of(pinetl__file_id *out, const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        return pinetl__error_set(PINETL_EIO, "cannot stat '%s': %s", path, strerror(errno));
    from_stat(out, &sb);
    return PINETL_OK;
}

int pinetl__file_id_of_fd(pinetl__file_id *out, int fd, const char *path) {
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return pinetl__error_set(PINETL_EIO, "cannot stat '%s': %s", path, strerror(errno));
    from_stat(out, &sb);
    return PINETL_OK;
}

int pinetl__file_id_check(const pinetl__file_id *id, const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0 || (unsigned long long)sb.st_dev != id->dev ||
        (unsigned long long)sb.st_ino != id->ino)
        return pinetl__error_set(PINETL_EIO,
                                 "'%s' was removed or replaced while the server wrote it (was "
                                 "the landing folder deleted?): what was written to it since is "
                                 "not kept and was not acknowledged; restart the server",
                                 path);
    return PINETL_OK;
}
