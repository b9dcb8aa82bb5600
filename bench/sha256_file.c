/*
 * sha256_file.c - the SHA-256 of one file, computed as lenity run computes the
 * input hash of its provenance stamp (runtime/sha256.c, read with pread in
 * 128 KiB pieces, as runtime/provenance.c does), so the bench can time that
 * hash alone.
 *
 *   sha256_file FILE      prints the digest in hex, as sha256sum does
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

#define PIECE (128u << 10)

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sha256_file FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    unsigned char *buf = malloc(PIECE);
    if (fd < 0 || !buf) {
        fprintf(stderr, "sha256_file: %s: %s\n", argv[1], fd < 0 ? strerror(errno) : "out of memory");
        return 1;
    }
    struct sha256 s;
    sha256_init(&s);
    off_t at = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, PIECE, at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "sha256_file: %s: %s\n", argv[1], strerror(errno));
            return 1;
        }
        if (n == 0)
            break;
        sha256_update(&s, buf, (size_t)n);
        at += n;
    }
    unsigned char d[SHA256_DIGEST];
    char hex[SHA256_HEX];
    sha256_final(&s, d);
    sha256_hex(d, hex);
    printf("%s  %s\n", hex, argv[1]);
    free(buf);
    close(fd);
    return 0;
}
