/* Symbol visibility for libpinetl: everything is hidden except what carries PINETL_API. */
#ifndef PINETL_EXPORT_H
#define PINETL_EXPORT_H

#if defined(PINETL_BUILDING) && defined(__GNUC__)
#define PINETL_API __attribute__((visibility("default")))
#else
#define PINETL_API
#endif

#endif
