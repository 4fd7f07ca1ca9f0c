/* libcurl and expat, loaded at run time (docs/s3.md, "Dependencies"): libpinetl links neither,
 * so the library and the Python wheel carry no TLS, LDAP or Kerberos libraries for users who
 * never read s3://, and a machine without libcurl gets a clear error on its first s3:// input
 * only. Compiled against curl's and expat's headers; the few functions used are resolved once. */
#ifndef PINETL_S3_DL_H
#define PINETL_S3_DL_H

#include <curl/curl.h>
#include <expat.h>

/* curl 7.75 brought CURLOPT_AWS_SIGV4. */
#define PINETL__S3_CURL_MIN 0x074b00

typedef struct pinetl__curl_api {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} pinetl__curl_api;

typedef struct pinetl__expat_api {
    XML_Parser (*parser_create)(const XML_Char *);
    void (*parser_free)(XML_Parser);
    void (*set_user_data)(XML_Parser, void *);
    void (*set_element_handler)(XML_Parser, XML_StartElementHandler, XML_EndElementHandler);
    void (*set_character_data_handler)(XML_Parser, XML_CharacterDataHandler);
    enum XML_Status (*parse)(XML_Parser, const char *, int, int);
    enum XML_Error (*get_error_code)(XML_Parser);
    const XML_LChar *(*error_string)(enum XML_Error);
} pinetl__expat_api;

/* The loaded libcurl ("libcurl.so.4", or $PINETL_LIBCURL), initialised once per process.
 * PINETL_EIO when it cannot be loaded or is older than 7.75 (the message says what to install). */
int pinetl__s3_curl(const pinetl__curl_api **out);

/* The loaded expat ("libexpat.so.1", or $PINETL_LIBEXPAT). PINETL_EIO when missing. */
int pinetl__s3_expat(const pinetl__expat_api **out);

#endif
