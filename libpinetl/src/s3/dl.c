/* Loading libcurl and expat once per process (dl.h). pthread_once makes the first s3:// input of
 * any thread load them; curl_global_init runs there too, before any other thread can use curl. */
#include "dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT, expat_once = PTHREAD_ONCE_INIT;
static pinetl__curl_api curl_api;
static pinetl__expat_api expat_api;
static int curl_ok, expat_ok;
static char curl_err[256], expat_err[256];

/* Resolves name into *slot; 0 when missing. */
static int resolve(void *lib, void *slot, const char *name) {
    void *f = dlsym(lib, name);
    memcpy(slot, &f, sizeof f);
    return f != NULL;
}

static void *open_lib(const char *env, const char *soname) {
    const char *name = getenv(env);
    return dlopen(name && *name ? name : soname, RTLD_NOW | RTLD_LOCAL);
}

static void load_curl(void) {
    void *lib = open_lib("PINETL_LIBCURL", "libcurl.so.4");
    curl_version_info_data *(*version_info)(CURLversion) = NULL;
    CURLcode (*global_init)(long) = NULL;
    if (!lib) {
        snprintf(curl_err, sizeof curl_err,
                 "s3:// needs libcurl 7.75 or later: install the libcurl4 package (%s)", dlerror());
        return;
    }
    pinetl__curl_api *a = &curl_api;
    if (!resolve(lib, &version_info, "curl_version_info") ||
        !resolve(lib, &global_init, "curl_global_init") ||
        !resolve(lib, &a->easy_init, "curl_easy_init") ||
        !resolve(lib, &a->easy_setopt, "curl_easy_setopt") ||
        !resolve(lib, &a->easy_perform, "curl_easy_perform") ||
        !resolve(lib, &a->easy_getinfo, "curl_easy_getinfo") ||
        !resolve(lib, &a->easy_cleanup, "curl_easy_cleanup") ||
        !resolve(lib, &a->easy_reset, "curl_easy_reset") ||
        !resolve(lib, &a->easy_strerror, "curl_easy_strerror") ||
        !resolve(lib, &a->slist_append, "curl_slist_append") ||
        !resolve(lib, &a->slist_free_all, "curl_slist_free_all")) {
        snprintf(curl_err, sizeof curl_err,
                 "s3:// needs libcurl 7.75 or later: the loaded libcurl lacks curl functions");
        return; /* the library stays loaded: unloading what may be in use elsewhere is unsafe */
    }
    curl_version_info_data *v = version_info(CURLVERSION_NOW);
    if (!v || v->version_num < PINETL__S3_CURL_MIN) {
        snprintf(curl_err, sizeof curl_err,
                 "s3:// needs libcurl 7.75 or later (AWS Signature Version 4): found %s; install "
                 "a newer libcurl4 package",
                 v && v->version ? v->version : "an unknown version");
        return;
    }
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(curl_err, sizeof curl_err, "s3://: libcurl failed to initialise");
        return;
    }
    curl_ok = 1;
}

static void load_expat(void) {
    void *lib = open_lib("PINETL_LIBEXPAT", "libexpat.so.1");
    pinetl__expat_api *a = &expat_api;
    if (!lib) {
        snprintf(expat_err, sizeof expat_err,
                 "s3:// needs the expat XML parser: install the libexpat1 package (%s)", dlerror());
        return;
    }
    if (!resolve(lib, &a->parser_create, "XML_ParserCreate") ||
        !resolve(lib, &a->parser_free, "XML_ParserFree") ||
        !resolve(lib, &a->set_user_data, "XML_SetUserData") ||
        !resolve(lib, &a->set_element_handler, "XML_SetElementHandler") ||
        !resolve(lib, &a->set_character_data_handler, "XML_SetCharacterDataHandler") ||
        !resolve(lib, &a->parse, "XML_Parse") ||
        !resolve(lib, &a->get_error_code, "XML_GetErrorCode") ||
        !resolve(lib, &a->error_string, "XML_ErrorString")) {
        snprintf(expat_err, sizeof expat_err, "s3://: the loaded expat lacks XML_* functions");
        return;
    }
    expat_ok = 1;
}

int pinetl__s3_curl(const pinetl__curl_api **out) {
    pthread_once(&curl_once, load_curl);
    *out = curl_ok ? &curl_api : NULL;
    return curl_ok ? PINETL_OK : pinetl__error_set(PINETL_EIO, "%s", curl_err);
}

int pinetl__s3_expat(const pinetl__expat_api **out) {
    pthread_once(&expat_once, load_expat);
    *out = expat_ok ? &expat_api : NULL;
    return expat_ok ? PINETL_OK : pinetl__error_set(PINETL_EIO, "%s", expat_err);
}
