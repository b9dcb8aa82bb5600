/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 / NIST example vectors,
 * and the same digest whatever way the bytes are split over updates; with
 * the processor's SHA instructions (when it has them) and without.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void digest_of(const void *data, size_t len, char hex[SHA256_HEX])
{
    struct sha256 s;
    unsigned char d[SHA256_DIGEST];
    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_final(&s, d);
    sha256_hex(d, hex);
}

static void test_sha256_empty(void **state)
{
    (void)state;
    char hex[SHA256_HEX];
    digest_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_abc(void **state)
{
    (void)state;
    char hex[SHA256_HEX];
    digest_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* 56 bytes: the padding no longer fits in the message's block, so a second block follows. */
static void test_sha256_two_blocks(void **state)
{
    (void)state;
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char hex[SHA256_HEX];
    digest_of(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_896_bits(void **state)
{
    (void)state;
    const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                    "mnopqrstnopqrstu";
    char hex[SHA256_HEX];
    digest_of(m, strlen(m), hex);
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a(void **state)
{
    (void)state;
    char *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    char hex[SHA256_HEX];
    digest_of(m, 1000000, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* and fed 1000 bytes at a time, as a reader would */
    struct sha256 s;
    unsigned char d[SHA256_DIGEST];
    sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        sha256_update(&s, m + 1000 * i, 1000);
    sha256_final(&s, d);
    sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

/*
 * Every length from 0 to 200 (each padding case: 55, 56, 63, 64 and 65 bytes
 * into a block), split in two at every point and in pieces of 1, 3, 63 and 65
 * bytes: all give the one-shot digest.
 */
static void test_sha256_any_split(void **state)
{
    (void)state;
    unsigned char m[200];
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (unsigned char)(i * 131 + 7);
    for (size_t len = 0; len <= sizeof m; len++) {
        char want[SHA256_HEX], got[SHA256_HEX];
        digest_of(m, len, want);
        struct sha256 s;
        unsigned char d[SHA256_DIGEST];
        for (size_t cut = 0; cut <= len; cut++) {
            sha256_init(&s);
            sha256_update(&s, m, cut);
            sha256_update(&s, m + cut, len - cut);
            sha256_final(&s, d);
            sha256_hex(d, got);
            assert_string_equal(got, want);
        }
        static const size_t pieces[] = {1, 3, 63, 65};
        for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
            sha256_init(&s);
            for (size_t at = 0; at < len; at += pieces[k])
                sha256_update(&s, m + at, len - at < pieces[k] ? len - at : pieces[k]);
            sha256_final(&s, d);
            sha256_hex(d, got);
            assert_string_equal(got, want);
        }
    }
    /* a known digest among them, so a wrong one-shot cannot pass by agreeing with itself */
    char hex[SHA256_HEX];
    digest_of("The quick brown fox jumps over the lazy dog", 43, hex);
    assert_string_equal(hex, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_empty),     cmocka_unit_test(test_sha256_abc),
        cmocka_unit_test(test_sha256_two_blocks), cmocka_unit_test(test_sha256_896_bits),
        cmocka_unit_test(test_sha256_million_a), cmocka_unit_test(test_sha256_any_split),
    };
    /* with the processor's SHA instructions when it has them, then with the portable code */
    int failed = cmocka_run_group_tests_name("sha256 (as chosen for this processor)", tests, NULL, NULL);
    sha256_force_portable(true);
    failed += cmocka_run_group_tests_name("sha256 (portable)", tests, NULL, NULL);
    return failed;
}
