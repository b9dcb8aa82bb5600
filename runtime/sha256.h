/*
 * sha256.h - SHA-256 (FIPS 180-4), for the input and policy checksums in
 * the provenance stamp: anyone can check them with sha256sum.
 */
#ifndef LENITY_SHA256_H
#define LENITY_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST 32
#define SHA256_HEX (2 * SHA256_DIGEST + 1) /* lower-case hex and a NUL */

struct sha256 {
    uint32_t h[8];
    uint64_t length;          /* bytes hashed so far */
    unsigned char block[64];  /* a partial block waiting for more bytes */
    size_t used;
};

void sha256_init(struct sha256 *s);
/* Any split of the bytes over calls gives the same digest. */
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char digest[SHA256_DIGEST]);
/* digest as 64 lower-case hex digits and a NUL */
void sha256_hex(const unsigned char digest[SHA256_DIGEST], char hex[SHA256_HEX]);

/* true when the processor's SHA instructions are used */
bool sha256_accelerated(void);
/* Tests: true to use the portable code only; false to choose again by the processor. */
void sha256_force_portable(bool portable);

#endif
