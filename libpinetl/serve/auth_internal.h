/* The credentials as loaded (credentials.c), shared with the check (auth.c). */
#ifndef PINETL_SERVE_AUTH_INTERNAL_H
#define PINETL_SERVE_AUTH_INTERNAL_H

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

struct serve_credentials {
    serve_credential *items;
    size_t n;
};

#endif
