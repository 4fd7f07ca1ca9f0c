/* The AWS configuration sources (config.h): environment first, then the profile in the shared
 * credentials file, then in the config file, as the AWS CLI and SDKs read them. The files are
 * INI: "[section]", "key = value", '#' or ';' comments; indented lines (nested settings such as
 * "s3 =\n  addressing_style = path") belong to the key above and are not read. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/error.h"

enum { DEFAULT_ATTEMPTS = 5, MAX_ATTEMPTS = 50 };

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The settings of one profile read from a file. */
typedef struct profile {
    char *access_key, *secret_key, *session_token, *region, *endpoint, *max_attempts;
} profile;

static void profile_free(profile *p) {
    pinetl__free(p->access_key);
    pinetl__free(p->secret_key);
    pinetl__free(p->session_token);
    pinetl__free(p->region);
    pinetl__free(p->endpoint);
    pinetl__free(p->max_attempts);
    memset(p, 0, sizeof *p);
}

static int set_value(char **slot, const char *v) {
    pinetl__free(*slot);
    *slot = pinetl__strdup(v);
    return *slot ? PINETL_OK : pinetl__error_set(PINETL_ENOMEM, "out of memory reading AWS config");
}

/* Reads section `section` of path into p (keys found there win over p's). A missing file is no
 * error: the files are optional. *found: the section exists. */
static int read_ini(profile *p, int *found, const char *path, const char *section) {
    *found = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT || errno == ENOTDIR
                   ? PINETL_OK
                   : pinetl__error_set(PINETL_EIO, "cannot read AWS file '%s': %s", path,
                                       strerror(errno));
    char line[4096];
    int in = 0, rc = PINETL_OK;
    while (rc == PINETL_OK && fgets(line, sizeof line, f)) {
        if (line[0] == ' ' || line[0] == '\t')
            continue; /* a nested setting */
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end)
                *end = '\0';
            in = !strcmp(trim(s + 1), section);
            *found |= in;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!in || !eq)
            continue;
        *eq = '\0';
        const char *k = trim(s), *v = trim(eq + 1);
        char **slot = !strcmp(k, "aws_access_key_id")       ? &p->access_key
                      : !strcmp(k, "aws_secret_access_key") ? &p->secret_key
                      : !strcmp(k, "aws_session_token")     ? &p->session_token
                      : !strcmp(k, "region")                ? &p->region
                      : !strcmp(k, "endpoint_url")          ? &p->endpoint
                      : !strcmp(k, "max_attempts")          ? &p->max_attempts
                                                            : NULL;
        if (slot && *v)
            rc = set_value(slot, v);
    }
    fclose(f);
    return rc;
}

/* *out: $var, else $HOME/rest; NULL when neither (no home). */
static int file_path(char **out, const char *var, const char *rest) {
    const char *v = env(var), *home = env("HOME");
    *out = NULL;
    if (!v && !home)
        return PINETL_OK;
    size_t n = v ? strlen(v) + 1 : strlen(home) + strlen(rest) + 2;
    if (!(*out = pinetl__malloc(n)))
        return pinetl__error_set(PINETL_ENOMEM, "out of memory reading AWS config");
    if (v)
        memcpy(*out, v, n);
    else
        snprintf(*out, n, "%s/%s", home, rest);
    return PINETL_OK;
}

static int dup_into(char **dst, const char *v) {
    if (!v)
        return PINETL_OK;
    return (*dst = pinetl__strdup(v)) ? PINETL_OK
                                      : pinetl__error_set(PINETL_ENOMEM, "out of memory reading "
                                                                         "AWS config");
}

/* Credentials: the environment, else the profile of the credentials file, else of the config. */
static int take_credentials(pinetl__s3_config *c, const profile *cred, const profile *conf,
                            const char *name, const char *cred_path, const char *conf_path) {
    const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");
    char src[512];
    const profile *p = NULL;
    if (ak || sk) {
        if (!ak || !sk)
            return pinetl__error_set(PINETL_EINVAL,
                                     "AWS credentials: %s is set but %s is not (set both, or "
                                     "neither to use a profile)",
                                     ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                                     ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        snprintf(src, sizeof src, "the environment (AWS_ACCESS_KEY_ID)");
        int rc = dup_into(&c->access_key, ak);
        if (!rc)
            rc = dup_into(&c->secret_key, sk);
        if (!rc)
            rc = dup_into(&c->session_token, env("AWS_SESSION_TOKEN"));
        return rc ? rc : dup_into(&c->cred_source, src);
    }
    const char *path = NULL;
    if (cred->access_key || cred->secret_key) {
        p = cred;
        path = cred_path;
    } else if (conf->access_key || conf->secret_key) {
        p = conf;
        path = conf_path;
    }
    if (!p)
        return pinetl__error_set(PINETL_EINVAL,
                                 "no AWS credentials: set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY, or give profile '%s' "
                                 "aws_access_key_id and aws_secret_access_key in '%s' or '%s'",
                                 name, cred_path ? cred_path : "~/.aws/credentials",
                                 conf_path ? conf_path : "~/.aws/config");
    snprintf(src, sizeof src, "profile '%.100s' in '%.300s'", name, path);
    if (!p->access_key || !p->secret_key)
        return pinetl__error_set(PINETL_EINVAL, "AWS credentials: %s has %s but no %s", src,
                                 p->access_key ? "aws_access_key_id" : "aws_secret_access_key",
                                 p->access_key ? "aws_secret_access_key" : "aws_access_key_id");
    int rc = dup_into(&c->access_key, p->access_key);
    if (!rc)
        rc = dup_into(&c->secret_key, p->secret_key);
    if (!rc)
        rc = dup_into(&c->session_token, p->session_token);
    return rc ? rc : dup_into(&c->cred_source, src);
}

static int take_endpoint(pinetl__s3_config *c, const char *from_profile) {
    const char *e = env("AWS_ENDPOINT_URL_S3"), *src = "AWS_ENDPOINT_URL_S3";
    if (!e) {
        e = env("AWS_ENDPOINT_URL");
        src = "AWS_ENDPOINT_URL";
    }
    if (!e) {
        e = from_profile;
        src = "the profile's endpoint_url";
    }
    if (!e)
        return PINETL_OK;
    if (strncmp(e, "http://", 7) && strncmp(e, "https://", 8))
        return pinetl__error_set(PINETL_EINVAL,
                                 "%s must start with http:// or https:// (got '%.200s')", src, e);
    int rc = dup_into(&c->endpoint, e);
    for (size_t n = rc ? 0 : strlen(c->endpoint); n > 8 && c->endpoint[n - 1] == '/'; n--)
        c->endpoint[n - 1] = '\0';
    c->path_style = 1;
    return rc;
}

static int take_attempts(pinetl__s3_config *c, const char *from_profile) {
    const char *v = env("AWS_MAX_ATTEMPTS"), *src = "AWS_MAX_ATTEMPTS";
    if (!v) {
        v = from_profile;
        src = "the profile's max_attempts";
    }
    c->max_attempts = DEFAULT_ATTEMPTS;
    if (!v)
        return PINETL_OK;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1 || n > MAX_ATTEMPTS)
        return pinetl__error_set(PINETL_EINVAL,
                                 "%s must be a whole number from 1 to %d (got "
                                 "'%.40s')",
                                 src, MAX_ATTEMPTS, v);
    c->max_attempts = (int)n;
    return PINETL_OK;
}

int pinetl__s3_config_load(pinetl__s3_config *c) {
    memset(c, 0, sizeof *c);
    const char *name = env("AWS_PROFILE");
    if (!name)
        name = "default";
    char *cred_path = NULL, *conf_path = NULL;
    char section[300];
    profile cred = {0}, conf = {0};
    int found_cred = 0, found_conf = 0;
    int rc = file_path(&cred_path, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    if (rc == PINETL_OK)
        rc = file_path(&conf_path, "AWS_CONFIG_FILE", ".aws/config");
    if (rc == PINETL_OK && cred_path)
        rc = read_ini(&cred, &found_cred, cred_path, name);
    if (!strcmp(name, "default"))
        snprintf(section, sizeof section, "default");
    else
        snprintf(section, sizeof section, "profile %.200s", name);
    if (rc == PINETL_OK && conf_path)
        rc = read_ini(&conf, &found_conf, conf_path, section);
    if (rc == PINETL_OK && env("AWS_PROFILE") && !found_cred && !found_conf &&
        !env("AWS_ACCESS_KEY_ID"))
        rc = pinetl__error_set(PINETL_EINVAL,
                               "AWS_PROFILE names profile '%.100s', which is in "
                               "neither '%s' nor '%s'",
                               name, cred_path ? cred_path : "~/.aws/credentials",
                               conf_path ? conf_path : "~/.aws/config");
    if (rc == PINETL_OK)
        rc = take_credentials(c, &cred, &conf, name, cred_path, conf_path);
    if (rc == PINETL_OK) {
        const char *region = env("AWS_REGION");
        if (!region)
            region = env("AWS_DEFAULT_REGION");
        if (!region)
            region = conf.region ? conf.region : "us-east-1";
        rc = dup_into(&c->region, region);
    }
    if (rc == PINETL_OK)
        rc = take_endpoint(c, conf.endpoint);
    if (rc == PINETL_OK)
        rc = take_attempts(c, conf.max_attempts);
    profile_free(&cred);
    profile_free(&conf);
    pinetl__free(cred_path);
    pinetl__free(conf_path);
    if (rc)
        pinetl__s3_config_free(c);
    return rc;
}

void pinetl__s3_config_free(pinetl__s3_config *c) {
    pinetl__free(c->access_key);
    if (c->secret_key) /* no copy of a secret left behind in freed memory */
        memset(c->secret_key, 0, strlen(c->secret_key));
    pinetl__free(c->secret_key);
    pinetl__free(c->session_token);
    pinetl__free(c->region);
    pinetl__free(c->endpoint);
    pinetl__free(c->cred_source);
    memset(c, 0, sizeof *c);
}
