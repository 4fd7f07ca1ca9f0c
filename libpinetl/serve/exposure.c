/* Secure by default: a server on loopback needs nothing; on any other address it needs TLS and a
 * credentials file, unless the operator says --insecure-no-tls-no-auth (and is warned). Tests
 * run on loopback only, so test_public_address names one loopback address (127.0.0.2) that
 * counts as public (set by `pinetl serve` from PINETL_SERVE_TEST_PUBLIC_ADDRESS). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "util/error.h"
#include "serve_internal.h"

static int same_address(const char *a, const char *b) {
    unsigned char x[16], y[16];
    if (inet_pton(AF_INET, a, x) == 1)
        return inet_pton(AF_INET, b, y) == 1 && !memcmp(x, y, 4);
    return inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1 && !memcmp(x, y, 16);
}

static int loopback(const char *host) {
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    return 0;
}

int pinetl__serve_exposure_check(const pinetl_serve_options *o, FILE *log) {
    const char *host = o->listen_host;
    int public =
        !loopback(host) || (o->test_public_address && same_address(host, o->test_public_address));
    int tls = o->tls_cert != NULL, creds = o->credentials != NULL;
    if (!public || (tls && creds))
        return PINETL_OK;
    const char *missing = !tls && !creds ? "TLS (--tls-cert, --tls-key) and credentials "
                                           "(--credentials)"
                          : !tls         ? "TLS (--tls-cert, --tls-key)"
                                         : "credentials (--credentials)";
    if (!o->insecure_no_tls_no_auth)
        return pinetl__error_set(PINETL_EINVAL,
                                 "refusing to listen on %s without %s: it is not a loopback "
                                 "address, so anyone who reaches it could read and write every "
                                 "topic and stream; give them, or pass --insecure-no-tls-no-auth "
                                 "to accept that",
                                 host, missing);
    fprintf(log ? log : stderr,
            "pinetl serve: WARNING: --insecure-no-tls-no-auth: listening on %s without %s; "
            "anyone who reaches this address can read and write every topic and stream%s\n",
            host, missing, tls ? "" : ", in clear text");
    return PINETL_OK;
}
