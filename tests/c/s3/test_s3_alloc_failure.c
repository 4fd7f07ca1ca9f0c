/* The S3 client's allocations fail cleanly (tests/c/alloc_sweep.h): loading the configuration
 * from a profile in files, parsing a listing page and an error body, and reading bucket keys by
 * the sink layout either fail with PINETL_ENOMEM and a message or give the same result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_sweep.h"
#include "s3/config.h"
#include "s3/xml.h"
#include "s3sink/list.h"

static int config_path(char *digest, size_t cap) {
    pinetl__s3_config c;
    int rc = pinetl__s3_config_load(&c);
    if (rc)
        return rc;
    snprintf(digest, cap, "%s|%s|%s|%s|%d|%s", c.access_key, c.secret_key, c.region,
             c.endpoint ? c.endpoint : "-", c.max_attempts, c.cred_source);
    pinetl__s3_config_free(&c);
    return PINETL_OK;
}

static int xml_path(char *digest, size_t cap) {
    static const char page[] =
        "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t+1"
        "</NextContinuationToken><Contents><Key>a+b &amp; c</Key></Contents>"
        "<Contents><Key>topics/p.pin/partition=0/p.pin+0+0.json</Key></Contents>"
        "</ListBucketResult>";
    pinetl__strlist keys = {0};
    pinetl__s3_xml *x = NULL;
    int rc = pinetl__s3_xml_new(&x, &keys);
    for (size_t at = 0; !rc && at < sizeof page - 1; at += 16)
        rc = pinetl__s3_xml_feed(x, page + at,
                                 sizeof page - 1 - at < 16 ? sizeof page - 1 - at : 16, 0);
    if (!rc)
        rc = pinetl__s3_xml_feed(x, "", 0, 1);
    if (!rc)
        snprintf(digest, cap, "%zu|%s|%s|%s", keys.n, keys.items[0], keys.items[1],
                 pinetl__s3_xml_token(x));
    pinetl__s3_xml_free(x);
    pinetl__strlist_free(&keys);
    return rc;
}

static int keys_path(char *digest, size_t cap) {
    static const char *const keys[] = {"topics/p.pin/partition=1/p.pin+1+0.json",
                                       "topics/p.pin/partition=0/p.pin+0+5.json",
                                       "topics/p.pin/readme.md"};
    pinetl__strlist out = {0};
    pinetl__buf notes = {0};
    int rc = pinetl__s3sink_list_keys("s3://b/land", keys, 3, PINETL_TABLE_PIN, 1, &out, &notes);
    if (!rc)
        snprintf(digest, cap, "%zu|%s|%s|%s", out.n, out.items[0], out.items[1], notes.p);
    pinetl__strlist_free(&out);
    pinetl__buf_free(&notes);
    return rc;
}

int main(void) {
    char dir[] = "/tmp/pinetl_s3_alloc_XXXXXX", cred[300], conf[300];
    if (!mkdtemp(dir))
        return 2;
    snprintf(cred, sizeof cred, "%s/credentials", dir);
    snprintf(conf, sizeof conf, "%s/config", dir);
    FILE *f = fopen(cred, "w");
    fputs("[ci]\naws_access_key_id = KEY\naws_secret_access_key = SECRET\n", f);
    fclose(f);
    f = fopen(conf, "w");
    fputs("[profile ci]\nregion = eu-north-1\nendpoint_url = http://127.0.0.1:9\n", f);
    fclose(f);
    static const char *const vars[] = {
        "AWS_ACCESS_KEY_ID",  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",   "AWS_REGION",
        "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",      "AWS_ENDPOINT_URL_S3", "AWS_MAX_ATTEMPTS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    setenv("AWS_PROFILE", "ci", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
    setenv("AWS_CONFIG_FILE", conf, 1);
    alloc_sweep("config", config_path, 1024, ALLOC_SWEEP_MESSAGE);
    alloc_sweep("listing xml", xml_path, 1024, ALLOC_SWEEP_MESSAGE);
    alloc_sweep("bucket keys", keys_path, 1024, ALLOC_SWEEP_MESSAGE);
    unlink(cred);
    unlink(conf);
    rmdir(dir);
    return check_done();
}
