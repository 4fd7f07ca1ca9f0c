/* A GET streamed into a socket (s3.h): a thread runs the request and writes the body to its end
 * of a socket pair as it arrives; the reader reads the other end like a pipe, so objects are
 * never staged on disk and memory stays the socket's buffer. A broken transfer is retried from
 * the byte already written (a Range request), so the reader sees each byte once, in order. A
 * socket rather than a pipe: send(MSG_NOSIGNAL) fails with EPIPE instead of raising SIGPIPE
 * when the reader has gone, and poll() on it wakes a retry's wait then. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "request.h"
#include "util/alloc.h"
#include "util/error.h"

struct pinetl__s3_get {
    pinetl__s3 *s;
    char *uri, *bucket, *key;
    int fd; /* the writing end; -1 once closed */
    uint64_t delivered;
    pthread_t thread;
    int rc;
    char err[512];
};

static int deliver(void *ud, const char *p, size_t n) {
    pinetl__s3_get *g = ud;
    while (n) {
        ssize_t w = send(g->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) /* the reader closed its end: it stopped reading */
            return pinetl__error_set(PINETL_EIO, "'%s': the reader stopped", g->uri);
        p += w;
        n -= (size_t)w;
        g->delivered += (uint64_t)w;
    }
    return 0;
}

static uint64_t resume_at(void *ud) { return ((pinetl__s3_get *)ud)->delivered; }

/* Waits ms, or less when the reader closes its end (then 1: stop retrying). */
static int cancelled(void *ud, long ms) {
    pinetl__s3_get *g = ud;
    struct pollfd pf = {g->fd, 0, 0}; /* no events: only POLLHUP / POLLERR wake it */
    return poll(&pf, 1, (int)ms) > 0;
}

static void *fetch(void *arg) {
    pinetl__s3_get *g = arg;
    pinetl__s3_request req = {"GET", g->bucket, g->key, NULL,      g->uri,    NULL,
                              0,     deliver,   g,      resume_at, cancelled, 0};
    g->rc = pinetl__s3_perform(g->s, &req);
    if (g->rc)
        snprintf(g->err, sizeof g->err, "%s", pinetl_error_last());
    close(g->fd); /* end of data for the reader, after rc is set */
    g->fd = -1;
    return NULL;
}

static void get_free(pinetl__s3_get *g) {
    if (g->fd >= 0)
        close(g->fd);
    pinetl__free(g->uri);
    pinetl__free(g->bucket);
    pinetl__free(g->key);
    pinetl__free(g);
}

int pinetl__s3_get_start(pinetl__s3_get **out, int *fd, pinetl__s3 *s, const char *uri) {
    *out = NULL;
    *fd = -1;
    pinetl__s3_get *g = pinetl__calloc(1, sizeof *g);
    if (!g)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", uri);
    g->s = s;
    g->fd = -1;
    int rc = (g->uri = pinetl__strdup(uri))
                 ? pinetl__s3_uri_split(&g->bucket, &g->key, uri)
                 : pinetl__error_set(PINETL_ENOMEM, "out of memory reading '%s'", uri);
    int sv[2];
    if (!rc && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        rc = pinetl__error_set(PINETL_EIO, "reading '%s': cannot create a socket: %s", uri,
                               strerror(errno));
    if (!rc) {
        g->fd = sv[1];
        if (pthread_create(&g->thread, NULL, fetch, g) != 0) {
            close(sv[0]);
            rc = pinetl__error_set(PINETL_ERROR, "reading '%s': cannot start a thread", uri);
        } else {
            *fd = sv[0];
            *out = g;
            return PINETL_OK;
        }
    }
    get_free(g);
    return rc;
}

int pinetl__s3_get_finish(pinetl__s3_get *g) {
    if (!g)
        return PINETL_OK;
    pthread_join(g->thread, NULL);
    int rc = g->rc ? pinetl__error_set(g->rc, "%s", g->err) : PINETL_OK;
    get_free(g);
    return rc;
}

void pinetl__s3_get_cancel(pinetl__s3_get *g) {
    if (!g)
        return;
    pthread_join(g->thread, NULL); /* the reader's end is closed: the fetch stops at once */
    get_free(g);
}
