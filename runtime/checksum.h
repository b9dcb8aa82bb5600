/*
 * checksum.h - CRC-32 (the zlib/PNG/Ethernet polynomial, reflected
 * 0xEDB88320), used for the .lbc body checksum and the policy source hash.
 */
#ifndef LENITY_CHECKSUM_H
#define LENITY_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of len bytes; checksum_crc32("123456789", 9) == 0xCBF43926. */
uint32_t checksum_crc32(const void *data, size_t len);

/*
 * Continues a CRC over more bytes.  Start with crc = 0 and feed the
 * pieces in order: the result equals checksum_crc32 over their
 * concatenation (the pre- and post-inversion happen inside).
 */
uint32_t checksum_crc32_update(uint32_t crc, const void *data, size_t len);

#endif
