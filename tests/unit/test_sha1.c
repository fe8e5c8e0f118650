/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_sha1.c - SHA-1 against the FIPS 180 examples ("abc", the 448-bit
 * message, a million 'a's) and the tails around the block and length
 * boundaries (55, 56, 63, 64, 119 bytes), checked against hashlib.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha1.h"

static const struct {
	const char *text; /* NULL: n times 'a' */
	size_t n;
	const char *hex;
} vectors[] = {
	{ "", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "abc", 0, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0,
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ NULL, 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
	{ NULL, 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
	{ NULL, 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
	{ NULL, 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
	{ NULL, 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
	{ NULL, 1000, "291e9a6c66994949b57ba5e650361e98fc36b1ba" },
	{ NULL, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
};

static void test_vectors(void **state)
{
	uint8_t md[SHA1_LEN];
	char hex[2 * SHA1_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		size_t n = vectors[i].text ? strlen(vectors[i].text) : vectors[i].n;
		char *buf = malloc(n + 1);

		assert_non_null(buf);
		if (vectors[i].text)
			memcpy(buf, vectors[i].text, n);
		else
			memset(buf, 'a', n);
		sha1(buf, n, md);
		for (size_t j = 0; j < SHA1_LEN; j++)
			snprintf(hex + 2 * j, 3, "%02x", md[j]);
		assert_string_equal(hex, vectors[i].hex);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests_name("sha1", tests, NULL, NULL);
}
