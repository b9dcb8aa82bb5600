/*
 * test_checksum.c - CRC-32 against the published check values, and the
 * incremental form against the one-shot one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "checksum.h"

static void test_checksum_check_value(void **state)
{
    (void)state;
    /* The CRC-32 catalogue's check value for "123456789". */
    assert_int_equal(checksum_crc32("123456789", 9), 0xCBF43926u);
}

static void test_checksum_empty_input_is_zero(void **state)
{
    (void)state;
    assert_int_equal(checksum_crc32("", 0), 0u);
    assert_int_equal(checksum_crc32_update(0, NULL, 0), 0u);
}

static void test_checksum_known_sentence(void **state)
{
    (void)state;
    const char *s = "The quick brown fox jumps over the lazy dog";
    assert_int_equal(checksum_crc32(s, strlen(s)), 0x414FA339u);
}

static void test_checksum_single_bytes(void **state)
{
    (void)state;
    const unsigned char zero = 0x00, ones = 0xff;
    assert_int_equal(checksum_crc32(&zero, 1), 0xD202EF8Du);
    assert_int_equal(checksum_crc32(&ones, 1), 0xFF000000u);
}

static void test_checksum_update_in_pieces_matches_one_shot(void **state)
{
    (void)state;
    unsigned char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 37u + 11u);
    uint32_t whole = checksum_crc32(data, sizeof data);
    for (size_t split = 0; split <= sizeof data; split++) {
        uint32_t crc = checksum_crc32_update(0, data, split);
        crc = checksum_crc32_update(crc, data + split, sizeof data - split);
        assert_int_equal(crc, whole);
    }
    uint32_t crc = 0;
    for (size_t i = 0; i < sizeof data; i++)
        crc = checksum_crc32_update(crc, data + i, 1);
    assert_int_equal(crc, whole);
}

static void test_checksum_detects_every_single_bit_flip(void **state)
{
    (void)state;
    unsigned char data[64];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)i;
    uint32_t good = checksum_crc32(data, sizeof data);
    for (size_t i = 0; i < sizeof data; i++) {
        for (int bit = 0; bit < 8; bit++) {
            data[i] ^= (unsigned char)(1u << bit);
            assert_int_not_equal(checksum_crc32(data, sizeof data), good);
            data[i] ^= (unsigned char)(1u << bit);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_check_value),
        cmocka_unit_test(test_checksum_empty_input_is_zero),
        cmocka_unit_test(test_checksum_known_sentence),
        cmocka_unit_test(test_checksum_single_bytes),
        cmocka_unit_test(test_checksum_update_in_pieces_matches_one_shot),
        cmocka_unit_test(test_checksum_detects_every_single_bit_flip),
    };
    return cmocka_run_group_tests_name("checksum", tests, NULL, NULL);
}
