/* S3's XML answers, parsed with expat as they stream in: a ListObjectsV2 page (keys, whether it
 * is truncated, the continuation token) or an error (Code, Message). */
#ifndef PINETL_S3_XML_H
#define PINETL_S3_XML_H

#include <stddef.h>

#include "util/buf.h"
#include "util/strlist.h"

typedef struct pinetl__s3_xml pinetl__s3_xml;

/* A parser appending the page's keys to keys (NULL: an error body is expected). */
int pinetl__s3_xml_new(pinetl__s3_xml **out, pinetl__strlist *keys);
/* Feeds the next bytes (last = 1 with the final ones). PINETL_EFORMAT when the XML is broken
 * (the message says where), PINETL_ENOMEM. */
int pinetl__s3_xml_feed(pinetl__s3_xml *x, const char *p, size_t n, int last);
/* After the last feed: IsTruncated, NextContinuationToken (NULL when none), the error's Code and
 * Message ("" when none). Owned by the parser. */
int pinetl__s3_xml_truncated(const pinetl__s3_xml *x);
const char *pinetl__s3_xml_token(const pinetl__s3_xml *x);
const char *pinetl__s3_xml_code(const pinetl__s3_xml *x);
const char *pinetl__s3_xml_message(const pinetl__s3_xml *x);
void pinetl__s3_xml_free(pinetl__s3_xml *x);

#endif
