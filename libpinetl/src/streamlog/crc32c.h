/* CRC-32C internals: the portable implementation, exposed so tests compare it with the
 * hardware one that pinetl_crc32c picks. */
#ifndef PINETL_STREAMLOG_CRC32C_H
#define PINETL_STREAMLOG_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Slicing-by-8 tables; same convention as pinetl_crc32c. */
uint32_t pinetl__crc32c_sw(uint32_t crc, const void *data, size_t len);
/* 1 when pinetl_crc32c uses the SSE4.2 instruction. */
int pinetl__crc32c_hw_available(void);

#endif
