/* TLS for pinetl serve: the certificate chain and private key (PEM files) that libmicrohttpd's
 * GnuTLS hands each new connection, through MHD_OPTION_HTTPS_CERT_CALLBACK rather than
 * MHD_OPTION_HTTPS_MEM_CERT so that SIGHUP can swap them while the server runs. Each load makes
 * a generation; the current one is an atomic pointer the callback reads. A replaced generation
 * is kept until the server stops: a handshake in progress, or GnuTLS's session, may still point
 * at it (reloads are rare; each costs one certificate chain of memory).
 *
 * libmicrohttpd's callback has no closure argument, so the process has one serve_tls at a time
 * (a second TLS server in the same process is refused). */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"
#include "serve_internal.h"

enum { MAX_CHAIN = 16 };

typedef struct tls_gen {
    struct tls_gen *older;
    gnutls_pcert_st chain[MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
} tls_gen;

struct serve_tls {
    char *cert, *key;
    _Atomic(tls_gen *) current;
    pthread_mutex_t reload_lock;
};

static _Atomic(serve_tls *) the_tls;

static void gen_free(tls_gen *g) {
    for (unsigned i = 0; i < g->n; i++)
        gnutls_pcert_deinit(&g->chain[i]);
    if (g->key)
        gnutls_privkey_deinit(g->key);
    pinetl__free(g);
}

/* SHA-256 key id of the certificate's public key equals that of the private key's? */
static int key_matches(const tls_gen *g) {
    unsigned char a[64], b[64];
    size_t la = sizeof a, lb = sizeof b;
    gnutls_pubkey_t pub;
    if (gnutls_pubkey_init(&pub) < 0)
        return 0;
    int ok = gnutls_pubkey_import_privkey(pub, g->key, 0, 0) >= 0 &&
             gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, b, &lb) >= 0 &&
             gnutls_pubkey_get_key_id(g->chain[0].pubkey, GNUTLS_KEYID_USE_SHA256, a, &la) >= 0 &&
             la == lb && !memcmp(a, b, la);
    gnutls_pubkey_deinit(pub);
    return ok;
}

static int gen_load(tls_gen **out, const char *cert, const char *key) {
    tls_gen *g = pinetl__calloc(1, sizeof *g);
    if (!g)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    g->n = MAX_CHAIN;
    int e = gnutls_pcert_list_import_x509_file(g->chain, &g->n, cert, GNUTLS_X509_FMT_PEM, NULL,
                                               NULL, 0);
    if (e < 0) {
        g->n = 0;
        gen_free(g);
        return pinetl__error_set(PINETL_EINVAL, "TLS certificate '%s': %s", cert,
                                 gnutls_strerror(e));
    }
    gnutls_datum_t d = {NULL, 0};
    e = gnutls_load_file(key, &d);
    if (e >= 0 && (e = gnutls_privkey_init(&g->key)) >= 0)
        e = gnutls_privkey_import_x509_raw(g->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (d.data) {
        memset(d.data, 0, d.size);
        gnutls_free(d.data);
    }
    if (e < 0) {
        gen_free(g);
        return pinetl__error_set(PINETL_EINVAL, "TLS key '%s': %s", key, gnutls_strerror(e));
    }
    if (!key_matches(g)) {
        gen_free(g);
        return pinetl__error_set(PINETL_EINVAL, "TLS key '%s' is not the key of certificate '%s'",
                                 key, cert);
    }
    *out = g;
    return PINETL_OK;
}

static int cert_callback(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                         const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                         gnutls_pcert_st **pcert, unsigned int *pcert_length,
                         gnutls_privkey_t *pkey) {
    (void)session, (void)req_ca_dn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
    serve_tls *t = atomic_load(&the_tls);
    tls_gen *g = t ? atomic_load(&t->current) : NULL;
    if (!g)
        return -1;
    *pcert = g->chain;
    *pcert_length = g->n;
    *pkey = g->key;
    return 0;
}

void *pinetl__serve_tls_callback(void) {
    /* MHD_OptionItem carries it as a void * (POSIX guarantees the round trip). */
    gnutls_certificate_retrieve_function2 *cb = cert_callback;
    void *p;
    memcpy(&p, &cb, sizeof p);
    return p;
}

int pinetl__serve_tls_open(serve_tls **out, const char *cert, const char *key) {
    *out = NULL;
    if (!cert || !key)
        return pinetl__error_set(PINETL_EINVAL, "TLS needs both a certificate (--tls-cert) and "
                                                "its key (--tls-key)");
    serve_tls *t = pinetl__calloc(1, sizeof *t);
    if (!t)
        return pinetl__error_set(PINETL_ENOMEM, "out of memory");
    pthread_mutex_init(&t->reload_lock, NULL);
    tls_gen *g = NULL;
    int rc = (t->cert = pinetl__strdup(cert)) && (t->key = pinetl__strdup(key))
                 ? gen_load(&g, cert, key)
                 : pinetl__error_set(PINETL_ENOMEM, "out of memory");
    serve_tls *none = NULL;
    if (!rc && !atomic_compare_exchange_strong(&the_tls, &none, t))
        rc = pinetl__error_set(PINETL_EINVAL, "another TLS server runs in this process");
    if (rc) {
        if (g)
            gen_free(g);
        pinetl__serve_tls_free(t);
        return rc;
    }
    atomic_store(&t->current, g);
    *out = t;
    return PINETL_OK;
}

int pinetl__serve_tls_reload(serve_tls *t) {
    pthread_mutex_lock(&t->reload_lock);
    tls_gen *g;
    int rc = gen_load(&g, t->cert, t->key);
    if (!rc) {
        g->older = atomic_load(&t->current);
        atomic_store(&t->current, g);
    }
    pthread_mutex_unlock(&t->reload_lock);
    return rc;
}

void pinetl__serve_tls_free(serve_tls *t) {
    if (!t)
        return;
    serve_tls *self = t;
    atomic_compare_exchange_strong(&the_tls, &self, NULL);
    for (tls_gen *g = atomic_load(&t->current), *next; g; g = next) {
        next = g->older;
        gen_free(g);
    }
    pthread_mutex_destroy(&t->reload_lock);
    pinetl__free(t->cert);
    pinetl__free(t->key);
    pinetl__free(t);
}
