/* The access log's line format (access_log.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "access_log.h"

/* Texts are cut at TEXT_MAX bytes: five of them escaped (6 bytes per byte at most) and the
 * numbers always fit. */
enum { LINE_MAX_BYTES = 8192, TEXT_MAX = 256 };

/* s as a quoted JSON string (at most TEXT_MAX of its bytes) at p; returns the end. */
static char *quoted(char *p, const char *s) {
    size_t n = s ? strnlen(s, TEXT_MAX) : 0;
    *p++ = '"';
    p = pinetl__json_escape(p, s ? s : "", n);
    *p++ = '"';
    return p;
}

size_t pinetl__access_log_format(char *out, size_t cap, const pinetl__access_entry *e) {
    char buf[LINE_MAX_BYTES];
    char *p = buf;
    time_t secs = (time_t)(e->start_us / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    p += strftime(p, 64, "{\"time\":\"%Y-%m-%dT%H:%M:%S", &tm);
    p += snprintf(p, 32, ".%03dZ\",\"remote\":", (int)(e->start_us % 1000000 / 1000));
    p = quoted(p, e->remote);
    p += snprintf(p, 16, ",\"method\":");
    p = quoted(p, e->method);
    p += snprintf(p, 16, ",\"route\":");
    p = quoted(p, e->route);
    if (e->target) {
        p += snprintf(p, 16, ",\"target\":");
        p = quoted(p, e->target);
    }
    p += snprintf(p, 256,
                  ",\"status\":%u,\"bytes_in\":%llu,\"bytes_out\":%llu,\"records\":%llu,"
                  "\"duration_ms\":%.3f",
                  e->status, (unsigned long long)e->bytes_in, (unsigned long long)e->bytes_out,
                  (unsigned long long)e->records, (double)e->duration_us / 1000.0);
    if (e->reason) {
        p += snprintf(p, 16, ",\"reason\":");
        p = quoted(p, e->reason);
    }
    *p++ = '}';
    *p++ = '\n';
    size_t n = (size_t)(p - buf);
    if (n >= cap)
        n = 0;
    memcpy(out, buf, n);
    if (cap)
        out[n] = '\0';
    return n;
}

void pinetl__access_log_write(int fd, const pinetl__access_entry *e) {
    char line[LINE_MAX_BYTES + 1];
    size_t n = pinetl__access_log_format(line, sizeof line, e);
    if (n) {
        ssize_t k = write(fd, line, n);
        (void)k;
    }
}

void pinetl__access_log_peer(char *out, size_t cap, const struct sockaddr *sa) {
    char addr[INET6_ADDRSTRLEN];
    if (cap)
        out[0] = '\0';
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const void *)sa;
        if (inet_ntop(AF_INET, &v4->sin_addr, addr, sizeof addr))
            snprintf(out, cap, "%s:%u", addr, (unsigned)ntohs(v4->sin_port));
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const void *)sa;
        if (inet_ntop(AF_INET6, &v6->sin6_addr, addr, sizeof addr))
            snprintf(out, cap, "[%s]:%u", addr, (unsigned)ntohs(v6->sin6_port));
    }
}
