/* pinetl serve's access log (--access-log): one JSON object per line and request, written with
 * one write() each (lines from several threads never interleave on an O_APPEND file or a pipe).
 * It names the route template and the topic or stream, never the raw URL or any header: no
 * credential (Authorization, x-api-key, a key in a query string) can reach it. */
#ifndef PINETL_SERVE_ACCESS_LOG_H
#define PINETL_SERVE_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>

struct sockaddr;

typedef struct pinetl__access_entry {
    int64_t start_us;   /* wall clock, microseconds since the epoch, when the request began */
    const char *remote; /* "ADDR:PORT" ("[V6]:PORT") or "" */
    const char *method; /* as sent (escaped when written) */
    const char *route;  /* the route template (metrics.h) */
    const char *target; /* the topic or stream, or NULL */
    unsigned status;    /* 0: no reply (the client went away first) */
    const char *reason; /* why it was refused, or NULL */
    uint64_t bytes_in, bytes_out, records;
    int64_t duration_us;
} pinetl__access_entry;

/* The line, with its newline, into out (cap > 8192 holds any entry); its length. */
size_t pinetl__access_log_format(char *out, size_t cap, const pinetl__access_entry *e);
/* Formats and writes the line to fd; errors are ignored (a full disk must not stop serving). */
void pinetl__access_log_write(int fd, const pinetl__access_entry *e);
/* "ADDR:PORT" of an IPv4 or IPv6 peer into out ("" for anything else). */
void pinetl__access_log_peer(char *out, size_t cap, const struct sockaddr *sa);

#endif
