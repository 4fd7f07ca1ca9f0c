/* Where S3 requests go and how they are signed, from the standard AWS sources in the standard
 * precedence (docs/s3.md, "Configuration"). No secret ever reaches a message: errors name the
 * source (an environment variable, a profile in a file), never a value. */
#ifndef PINETL_S3_CONFIG_H
#define PINETL_S3_CONFIG_H

typedef struct pinetl__s3_config {
    char *access_key, *secret_key, *session_token; /* session_token may be NULL */
    char *region;                                  /* never NULL once loaded */
    char *endpoint;    /* "scheme://host[:port]" with no trailing '/', or NULL for AWS's own */
    int path_style;    /* 1 with a custom endpoint: http://host/bucket/key */
    int max_attempts;  /* tries per request, 1 or more */
    char *cred_source; /* where the credentials came from, for messages */
} pinetl__s3_config;

/* Loads the configuration: credentials from AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+
 * AWS_SESSION_TOKEN), else from the profile (AWS_PROFILE, else "default") in the shared
 * credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), else in the config
 * file (AWS_CONFIG_FILE, else ~/.aws/config, section [profile NAME] or [default]); region from
 * AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1; endpoint from
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url; attempts from
 * AWS_MAX_ATTEMPTS, the profile's max_attempts, else 5. PINETL_EINVAL (naming the source) for
 * missing or half-given credentials and bad values; PINETL_ENOMEM. */
int pinetl__s3_config_load(pinetl__s3_config *out);
void pinetl__s3_config_free(pinetl__s3_config *c);

#endif
