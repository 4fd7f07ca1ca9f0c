/* The credentials as loaded (credentials.c), shared with the check (auth.c). */
#ifndef PINETL_SERVE_AUTH_INTERNAL_H
#define PINETL_SERVE_AUTH_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "serve_internal.h"

enum { CRED_API_KEY = 1, CRED_BASIC = 2, CRED_AWS = 3 };

typedef struct serve_credential {
    int kind;
    char *name;               /* what a refusal may name: the entry's name, user or key id */
    unsigned char digest[32]; /* SHA-256 of the API key, or of Basic's "user:password" */
    char *access_key_id;      /* CRED_AWS */
    char *secret;             /* CRED_AWS: the secret access key (SigV4 needs it) */
    size_t secret_len;
    char **write, **read; /* names, "*", or prefixes ending in '*' */
    size_t nwrite, nread;
} serve_credential;

/* One load of the file. A reload makes a new set; the older ones stay until the server stops (a
 * check in flight may hold one of their entries). */
typedef struct cred_set {
    serve_credential *items;
    size_t n;
    struct cred_set *older;
} cred_set;

struct serve_credentials {
    char *path;
    _Atomic(cred_set *) current;
    pthread_mutex_t reload_lock;
};

#endif
