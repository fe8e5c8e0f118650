/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_tls.c - libFuzzer harness for tls_sni().  Besides memory safety it
 * checks what the caller relies on: a status in range, *sni written only
 * with TLS_FOUND and then a proper name, and an answer other than
 * TLS_NEED_MORE on a prefix of the stream never changing when more bytes
 * arrive (the caller acts on it as soon as it is given).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostname.h"
#include "decode/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tls_sni() on a copy of exactly len bytes, so ASan sees any over-read. */
static enum tls_status check(const uint8_t *data, size_t len, struct name *sni)
{
	struct name sentinel;
	enum tls_status st;
	uint8_t *copy;

	copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	memset(&sentinel, 0x5a, sizeof(sentinel));
	*sni = sentinel;
	st = tls_sni(copy, len, sni);
	free(copy);

	if (st < TLS_NEED_MORE || st > TLS_BAD_NAME)
		abort();
	if (st == TLS_FOUND) {
		if (sni->len < 1 || sni->len > NAME_MAX_LEN || sni->s[sni->len] != '\0' ||
		    !name_is_hostname(sni))
			abort();
	} else if (memcmp(sni, &sentinel, sizeof(sentinel)) != 0) {
		abort();
	}
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cuts[] = { 0, 1, 5, 9, size / 3, size / 2, size > 0 ? size - 1 : 0 };
	struct name full, part;
	enum tls_status st_full;
	size_t i;

	st_full = check(data, size, &full);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		enum tls_status st;

		if (cuts[i] >= size)
			continue;
		st = check(data, cuts[i], &part);
		if (st == TLS_NEED_MORE)
			continue;
		if (st != st_full)
			abort();
		if (st == TLS_FOUND && !name_eq(&part, &full))
			abort();
	}
	return 0;
}
