/* Load generator for bench/serve_bench: N keep-alive connections to pinetl serve on loopback,
 * each sending one request at a time and waiting for its reply (as the emulator and the REST
 * Proxy's clients do), until a request count or a time limit. Prints one tab-separated line:
 *
 *   mode conns requests records seconds records_per_s p50_ms p99_ms failed
 *
 * counting only replies with status 200 (acknowledged = durable on the server).
 *
 *   serve_client --port P --mode putrecord|putrecords|rest --conns N --batch R
 *                --requests N --seconds S --sample FILE.jsonl --prefix X
 *                [--tls CA.pem] [--sigv4 KEYID:SECRET] [--basic USER:PASSWORD]
 *
 * --tls: HTTPS through GnuTLS, the server's certificate verified against CA.pem (one handshake
 * per connection, kept alive). --sigv4: each request carries an AWS SigV4 Authorization (signed
 * once per body at start, which a row's few seconds keep inside the server's 5-minute window;
 * the server verifies every request in full). --basic: an HTTP Basic Authorization header. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

enum { NBODIES = 8 };

static int port, conns = 1, batch = 1;
static long max_requests = 1000000;
static double max_seconds = 5;
static const char *mode = "putrecord", *prefix = "bench";
static char **lines;
static size_t nlines;
static char *requests[NBODIES];
static size_t request_len[NBODIES];
static atomic_long issued, acked_records, failed;
static double t_start;
static const char *tls_ca, *sigv4, *basic;
static gnutls_certificate_credentials_t tls_cred;

/* A connection: a socket, and a TLS session on it with --tls. */
typedef struct conn {
    int fd;
    gnutls_session_t tls;
} conn;

typedef struct {
    double *lat;
    size_t n, cap;
} lat_list;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *m) {
    fprintf(stderr, "serve_client: %s\n", m);
    exit(1);
}

static char *xappend(char *s, size_t *len, size_t *cap, const char *add, size_t n) {
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap)
            *cap = *cap ? *cap * 2 : 4096;
        if (!(s = realloc(s, *cap)))
            die("out of memory");
    }
    memcpy(s + *len, add, n);
    *len += n;
    s[*len] = '\0';
    return s;
}

static void hexs(char *out, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* The Authorization and X-Amz-Date header lines of a request (host 127.0.0.1:port, content-type
 * and x-amz-date signed, as SDKs sign them), for --sigv4. */
static void sign(char *out, size_t cap, const char *method, const char *path, const char *ctype,
                 const char *body, size_t bl) {
    char id[128], amz[17], day[9], hosth[64], bh[65], crh[65], sig[65];
    const char *colon = strchr(sigv4, ':');
    if (!colon || (size_t)(colon - sigv4) >= sizeof id)
        die("--sigv4 wants KEYID:SECRET");
    memcpy(id, sigv4, (size_t)(colon - sigv4));
    id[colon - sigv4] = '\0';
    const char *secret = colon + 1;
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(amz, sizeof amz, "%Y%m%dT%H%M%SZ", &tm);
    memcpy(day, amz, 8);
    day[8] = '\0';
    snprintf(hosth, sizeof hosth, "127.0.0.1:%d", port);
    unsigned char d[32], k1[32], k2[32], k3[32], k4[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, body, bl, d);
    hexs(bh, d, 32);
    char cr[2048], sts[512], key[256];
    int n = snprintf(cr, sizeof cr,
                     "%s\n%s\n\ncontent-type:%s\nhost:%s\nx-amz-date:%s\n\n"
                     "content-type;host;x-amz-date\n%s",
                     method, path, ctype, hosth, amz, bh);
    gnutls_hash_fast(GNUTLS_DIG_SHA256, cr, (size_t)n, d);
    hexs(crh, d, 32);
    n = snprintf(sts, sizeof sts, "AWS4-HMAC-SHA256\n%s\n%s/us-east-1/kinesis/aws4_request\n%s",
                 amz, day, crh);
    int kl = snprintf(key, sizeof key, "AWS4%s", secret);
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, (size_t)kl, day, 8, k1);
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, k1, 32, "us-east-1", 9, k2);
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, k2, 32, "kinesis", 7, k3);
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, k3, 32, "aws4_request", 12, k4);
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, k4, 32, sts, (size_t)n, d);
    hexs(sig, d, 32);
    snprintf(out, cap,
             "X-Amz-Date: %s\r\nAuthorization: AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/"
             "kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=%s\r\n",
             amz, id, day, sig);
}

/* One full HTTP request: head and body. */
static void build(int k) {
    char *body = NULL, *req = NULL;
    size_t bl = 0, bc = 0, rl = 0, rc = 0;
    char head[1024], key[32], auth[512] = "";
    const char *path_fmt, *ctype;
    char path[300];
    int rest = !strcmp(mode, "rest"), many = !strcmp(mode, "putrecords");
    if (rest)
        body = xappend(body, &bl, &bc, "{\"records\":[", 12);
    else if (many) {
        char open_[300];
        int ol = snprintf(open_, sizeof open_, "{\"StreamName\":\"streaming-%s-pin\",\"Records\":[",
                          prefix);
        body = xappend(body, &bl, &bc, open_, (size_t)ol);
    }
    for (int i = 0; i < (rest || many ? batch : 1); i++) {
        const char *rec = lines[((size_t)k * (size_t)batch + (size_t)i) % nlines];
        if (i)
            body = xappend(body, &bl, &bc, ",", 1);
        if (rest) {
            body = xappend(body, &bl, &bc, "{\"value\":", 9);
            body = xappend(body, &bl, &bc, rec, strlen(rec));
            body = xappend(body, &bl, &bc, "}", 1);
        } else {
            body = xappend(body, &bl, &bc, "{\"Data\":", 8);
            body = xappend(body, &bl, &bc, rec, strlen(rec));
            int kl = snprintf(key, sizeof key, ",\"PartitionKey\":\"%d\"}", i);
            body = xappend(body, &bl, &bc, key, (size_t)kl);
        }
    }
    if (rest || many)
        body = xappend(body, &bl, &bc, "]}", 2);
    if (rest) {
        path_fmt = "/topics/%s.pin";
        ctype = "application/vnd.kafka.json.v2+json";
    } else {
        path_fmt = many ? "/streams/streaming-%s-pin/records" : "/streams/streaming-%s-pin/record";
        ctype = "application/json";
    }
    snprintf(path, sizeof path, path_fmt, prefix);
    if (sigv4)
        sign(auth, sizeof auth, rest ? "POST" : "PUT", path, ctype, body, bl);
    if (basic) {
        gnutls_datum_t in = {(unsigned char *)basic, (unsigned)strlen(basic)}, b64;
        if (gnutls_base64_encode2(&in, &b64) < 0)
            die("out of memory");
        snprintf(auth + strlen(auth), sizeof auth - strlen(auth), "Authorization: Basic %.*s\r\n",
                 (int)b64.size, b64.data);
        gnutls_free(b64.data);
    }
    int hl = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
                      "%sContent-Length: %zu\r\n\r\n",
                      rest ? "POST" : "PUT", path, port, ctype, auth, bl);
    req = xappend(req, &rl, &rc, head, (size_t)hl);
    req = xappend(req, &rl, &rc, body, bl);
    free(body);
    requests[k] = req;
    request_len[k] = rl;
}

static int connect_fd(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_to(conn *c) {
    c->tls = NULL;
    if ((c->fd = connect_fd()) < 0)
        return -1;
    if (!tls_ca)
        return 0;
    if (gnutls_init(&c->tls, GNUTLS_CLIENT) < 0 || gnutls_set_default_priority(c->tls) < 0 ||
        gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, tls_cred) < 0)
        die("gnutls session");
    gnutls_session_set_verify_cert(c->tls, "127.0.0.1", 0);
    gnutls_transport_set_int(c->tls, c->fd);
    int e;
    do
        e = gnutls_handshake(c->tls);
    while (e < 0 && !gnutls_error_is_fatal(e));
    if (e < 0) {
        fprintf(stderr, "serve_client: TLS handshake: %s\n", gnutls_strerror(e));
        return -1;
    }
    return 0;
}

static ssize_t io_send(conn *c, const void *p, size_t n) {
    if (!c->tls)
        return send(c->fd, p, n, MSG_NOSIGNAL);
    ssize_t k;
    do
        k = gnutls_record_send(c->tls, p, n);
    while (k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED);
    return k;
}

static ssize_t io_recv(conn *c, void *p, size_t n) {
    if (!c->tls)
        return recv(c->fd, p, n, 0);
    ssize_t k;
    do
        k = gnutls_record_recv(c->tls, p, n);
    while (k == GNUTLS_E_AGAIN || k == GNUTLS_E_INTERRUPTED);
    return k;
}

/* Reads one reply; returns its status or -1. */
static int read_reply(conn *fd, char *buf, size_t cap) {
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t k = io_recv(fd, buf + have, cap - have - 1);
        if (k <= 0)
            return -1;
        have += (size_t)k;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (!end && have + 1 >= cap)
            return -1;
    }
    int status = atoi(buf + 9);
    const char *cl = strcasestr(buf, "content-length:");
    size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
    size_t got = have - (size_t)(end + 4 - buf);
    while (got < want) {
        ssize_t k = io_recv(fd, buf, cap - 1);
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return status;
}

static void *worker(void *arg) {
    lat_list *l = arg;
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    conn c;
    if (!buf || connect_to(&c) < 0)
        die("cannot connect");
    conn *fd = &c;
    int per = strcmp(mode, "putrecord") ? batch : 1;
    for (;;) {
        long i = atomic_fetch_add(&issued, 1);
        if (i >= max_requests || now() - t_start > max_seconds)
            break;
        int k = (int)(i % NBODIES);
        double t0 = now();
        const char *p = requests[k];
        size_t left = request_len[k];
        while (left) {
            ssize_t w = io_send(fd, p, left);
            if (w <= 0)
                die("send failed");
            p += w;
            left -= (size_t)w;
        }
        int st = read_reply(fd, buf, cap);
        if (st < 0)
            die("connection lost");
        double t1 = now();
        if (st == 200) {
            atomic_fetch_add(&acked_records, per);
            if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 1024;
                if (!(l->lat = realloc(l->lat, l->cap * sizeof *l->lat)))
                    die("out of memory");
            }
            l->lat[l->n++] = t1 - t0;
        } else {
            atomic_fetch_add(&failed, 1);
        }
    }
    if (c.tls) {
        gnutls_bye(c.tls, GNUTLS_SHUT_WR);
        gnutls_deinit(c.tls);
    }
    close(c.fd);
    free(buf);
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const char *sample = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--port"))
            port = atoi(v);
        else if (!strcmp(a, "--mode"))
            mode = v;
        else if (!strcmp(a, "--conns"))
            conns = atoi(v);
        else if (!strcmp(a, "--batch"))
            batch = atoi(v);
        else if (!strcmp(a, "--requests"))
            max_requests = atol(v);
        else if (!strcmp(a, "--seconds"))
            max_seconds = atof(v);
        else if (!strcmp(a, "--sample"))
            sample = v;
        else if (!strcmp(a, "--prefix"))
            prefix = v;
        else if (!strcmp(a, "--tls"))
            tls_ca = v;
        else if (!strcmp(a, "--sigv4"))
            sigv4 = v;
        else if (!strcmp(a, "--basic"))
            basic = v;
        else
            die("unknown option");
    }
    if (!port || !sample || conns < 1 || batch < 1)
        die("usage: serve_client --port P --sample FILE [--mode M --conns N --batch R ...]");
    FILE *f = fopen(sample, "r");
    if (!f)
        die("cannot open the sample");
    char *line = NULL;
    size_t lc = 0;
    ssize_t n;
    while ((n = getline(&line, &lc, f)) > 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n)
            continue;
        if (!(lines = realloc(lines, (nlines + 1) * sizeof *lines)) ||
            !(lines[nlines] = strdup(line)))
            die("out of memory");
        nlines++;
    }
    free(line);
    fclose(f);
    if (!nlines)
        die("empty sample");
    if (tls_ca &&
        (gnutls_certificate_allocate_credentials(&tls_cred) < 0 ||
         gnutls_certificate_set_x509_trust_file(tls_cred, tls_ca, GNUTLS_X509_FMT_PEM) <= 0))
        die("cannot load the --tls CA file");
    for (int k = 0; k < NBODIES; k++)
        build(k);
    pthread_t *th = calloc((size_t)conns, sizeof *th);
    lat_list *ls = calloc((size_t)conns, sizeof *ls);
    if (!th || !ls)
        die("out of memory");
    t_start = now();
    for (int i = 0; i < conns; i++)
        if (pthread_create(&th[i], NULL, worker, &ls[i]) != 0)
            die("cannot start a thread");
    for (int i = 0; i < conns; i++)
        pthread_join(th[i], NULL);
    double secs = now() - t_start;
    size_t total = 0;
    for (int i = 0; i < conns; i++)
        total += ls[i].n;
    double *all = malloc((total + 1) * sizeof *all);
    if (!all)
        die("out of memory");
    size_t at = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + at, ls[i].lat, ls[i].n * sizeof *all);
        at += ls[i].n;
        free(ls[i].lat);
    }
    qsort(all, total, sizeof *all, cmp_double);
    double p50 = total ? all[(size_t)(0.50 * (double)(total - 1))] : 0;
    double p99 = total ? all[(size_t)(0.99 * (double)(total - 1))] : 0;
    printf("%s\t%d\t%zu\t%ld\t%.2f\t%.0f\t%.2f\t%.2f\t%ld\n", mode, conns, total,
           atomic_load(&acked_records), secs, (double)atomic_load(&acked_records) / secs, p50 * 1e3,
           p99 * 1e3, atomic_load(&failed));
    for (int k = 0; k < NBODIES; k++)
        free(requests[k]);
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    free(all);
    free(th);
    free(ls);
    return 0;
}
