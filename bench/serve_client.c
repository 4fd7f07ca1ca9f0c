/* Load generator for bench/serve_bench: N keep-alive connections to pinetl serve on loopback,
 * each sending one request at a time and waiting for its reply (as the emulator and the REST
 * Proxy's clients do), until a request count or a time limit. Prints one tab-separated line:
 *
 *   mode conns requests records seconds records_per_s p50_ms p99_ms failed
 *
 * counting only replies with status 200 (acknowledged = durable on the server).
 *
 *   serve_client --port P --mode putrecord|putrecords|rest --conns N --batch R
 *                --requests N --seconds S --sample FILE.jsonl --prefix X */
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

/* One full HTTP request: head and body. */
static void build(int k) {
    char *body = NULL, *req = NULL;
    size_t bl = 0, bc = 0, rl = 0, rc = 0;
    char head[512], key[32];
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
    int hl = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      rest ? "POST" : "PUT", path, ctype, bl);
    req = xappend(req, &rl, &rc, head, (size_t)hl);
    req = xappend(req, &rl, &rc, body, bl);
    free(body);
    requests[k] = req;
    request_len[k] = rl;
}

static int connect_to(void) {
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

/* Reads one reply; returns its status or -1. */
static int read_reply(int fd, char *buf, size_t cap) {
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t k = recv(fd, buf + have, cap - have - 1, 0);
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
        ssize_t k = recv(fd, buf, cap - 1, 0);
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
    int fd = connect_to();
    if (!buf || fd < 0)
        die("cannot connect");
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
            ssize_t w = send(fd, p, left, MSG_NOSIGNAL);
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
    close(fd);
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
