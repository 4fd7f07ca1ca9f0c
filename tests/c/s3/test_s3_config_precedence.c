/* The S3 client's configuration (libpinetl/src/s3/config.h) follows the AWS precedence:
 * environment keys over the profile's, the credentials file over the config file, AWS_PROFILE
 * choosing the profile ([name] in credentials, [profile name] in config), AWS_REGION over
 * AWS_DEFAULT_REGION over the profile, AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL over the
 * profile's endpoint_url (which makes requests path-style), AWS_MAX_ATTEMPTS. No message and no
 * credentials source ever carries a secret or session token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pinetl/pinetl.h>

#include "check.h"
#include "s3/config.h"

static char dir[] = "/tmp/pinetl_s3_config_XXXXXX";
static char cred_path[300], conf_path[300];

static const char *const secrets[] = {"ENVSECRETzzz", "CREDSECRETzzz", "CONFSECRETzzz",
                                      "OTHERSECRETzzz", "TOKENSECRETzzz"};

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static void clear_env(void) {
    static const char *const vars[] = {
        "AWS_ACCESS_KEY_ID",   "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_REGION",          "AWS_DEFAULT_REGION",    "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3", "AWS_PROFILE",           "AWS_MAX_ATTEMPTS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        unsetenv(vars[i]);
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
    setenv("AWS_CONFIG_FILE", conf_path, 1);
}

/* No secret in a text (a message, a source). */
static void check_no_secret(const char *text) {
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        CHECK(!text || !strstr(text, secrets[i]));
}

static int load(pinetl__s3_config *c) {
    int rc = pinetl__s3_config_load(c);
    check_no_secret(pinetl_error_last());
    if (rc == PINETL_OK)
        check_no_secret(c->cred_source);
    return rc;
}

static void test_environment_wins_over_files(void) {
    clear_env();
    setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRETzzz", 1);
    setenv("AWS_SESSION_TOKEN", "TOKENSECRETzzz", 1);
    pinetl__s3_config c;
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.access_key, "ENVKEY");
    CHECK_STR(c.secret_key, "ENVSECRETzzz");
    CHECK_STR(c.session_token, "TOKENSECRETzzz");
    CHECK(strstr(c.cred_source, "AWS_ACCESS_KEY_ID") != NULL);
    CHECK_STR(c.region, "eu-west-3"); /* from the default profile of the config file */
    CHECK_INT(c.max_attempts, 5);
    pinetl__s3_config_free(&c);
}

static void test_credentials_file_over_config_file(void) {
    clear_env();
    pinetl__s3_config c;
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.access_key, "CREDKEY");
    CHECK_STR(c.secret_key, "CREDSECRETzzz");
    CHECK(c.session_token == NULL);
    CHECK(strstr(c.cred_source, "profile 'default'") && strstr(c.cred_source, cred_path));
    CHECK(c.endpoint == NULL && c.path_style == 0);
    pinetl__s3_config_free(&c);
    /* Without a credentials file, the config file's keys. */
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/pinetl/credentials", 1);
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.access_key, "CONFKEY");
    CHECK(strstr(c.cred_source, conf_path) != NULL);
    pinetl__s3_config_free(&c);
}

static void test_profile_chooses_sections(void) {
    clear_env();
    setenv("AWS_PROFILE", "other", 1);
    pinetl__s3_config c;
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.access_key, "OTHERKEY");
    CHECK_STR(c.region, "ap-south-1");           /* [profile other] in config */
    CHECK_STR(c.endpoint, "http://127.0.0.1:9"); /* its endpoint_url, trailing '/' dropped */
    CHECK_INT(c.path_style, 1);
    CHECK_INT(c.max_attempts, 7);
    pinetl__s3_config_free(&c);
    setenv("AWS_PROFILE", "missing", 1);
    CHECK_INT(load(&c), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "'missing'") != NULL);
}

static void test_region_endpoint_attempts_precedence(void) {
    clear_env();
    setenv("AWS_PROFILE", "other", 1);
    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    pinetl__s3_config c;
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.region, "us-west-1");
    pinetl__s3_config_free(&c);
    setenv("AWS_REGION", "us-west-2", 1);
    setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:10", 1);
    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.region, "us-west-2");
    CHECK_STR(c.endpoint, "http://127.0.0.1:10");
    CHECK_INT(c.max_attempts, 2);
    pinetl__s3_config_free(&c);
    setenv("AWS_ENDPOINT_URL_S3", "https://s3.example.test", 1);
    CHECK_INT(load(&c), PINETL_OK);
    CHECK_STR(c.endpoint, "https://s3.example.test");
    pinetl__s3_config_free(&c);
    setenv("AWS_MAX_ATTEMPTS", "0", 1);
    CHECK_INT(load(&c), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "AWS_MAX_ATTEMPTS") != NULL);
    setenv("AWS_MAX_ATTEMPTS", "3", 1);
    setenv("AWS_ENDPOINT_URL_S3", "s3.example.test", 1);
    CHECK_INT(load(&c), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "AWS_ENDPOINT_URL_S3") != NULL);
}

static void test_bad_credentials_name_the_source_not_the_secret(void) {
    clear_env();
    setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRETzzz", 1);
    pinetl__s3_config c;
    CHECK_INT(load(&c), PINETL_EINVAL); /* half of the pair */
    CHECK(strstr(pinetl_error_last(), "AWS_ACCESS_KEY_ID") != NULL);
    clear_env();
    setenv("AWS_PROFILE", "halfway", 1);
    CHECK_INT(load(&c), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "'halfway'") != NULL &&
          strstr(pinetl_error_last(), "aws_access_key_id") != NULL);
    clear_env();
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/pinetl/credentials", 1);
    setenv("AWS_CONFIG_FILE", "/nonexistent/pinetl/config", 1);
    CHECK_INT(load(&c), PINETL_EINVAL);
    CHECK(strstr(pinetl_error_last(), "no AWS credentials") != NULL);
}

int main(void) {
    if (!mkdtemp(dir))
        return 2;
    snprintf(cred_path, sizeof cred_path, "%s/credentials", dir);
    snprintf(conf_path, sizeof conf_path, "%s/config", dir);
    write_file(cred_path, "# shared credentials\n"
                          "[default]\naws_access_key_id = CREDKEY\n"
                          "aws_secret_access_key = CREDSECRETzzz\n\n"
                          "[other]\naws_access_key_id=OTHERKEY\n"
                          "aws_secret_access_key=OTHERSECRETzzz\n"
                          "[halfway]\naws_secret_access_key = OTHERSECRETzzz\n");
    write_file(conf_path, "[default]\nregion = eu-west-3\naws_access_key_id = CONFKEY\n"
                          "aws_secret_access_key = CONFSECRETzzz\n"
                          "s3 =\n  addressing_style = path\n"
                          "[profile other]\nregion = ap-south-1\n"
                          "endpoint_url = http://127.0.0.1:9/\nmax_attempts = 7\n");
    RUN(test_environment_wins_over_files);
    RUN(test_credentials_file_over_config_file);
    RUN(test_profile_chooses_sections);
    RUN(test_region_endpoint_attempts_precedence);
    RUN(test_bad_credentials_name_the_source_not_the_secret);
    unlink(cred_path);
    unlink(conf_path);
    rmdir(dir);
    return check_done();
}
