/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_socks.c - libFuzzer harness for socks_host().  Besides memory
 * safety it checks what the caller relies on: a status in range, *host
 * written only with SOCKS_FOUND and then a host name, and an answer other
 * than SOCKS_NEED_MORE on a prefix never changing as more bytes come.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hostname.h"
#include "decode/socks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

/* socks_host() on a copy of exactly len bytes, so ASan sees any over-read. */
static enum socks_status run(const uint8_t *data, size_t len, struct name *host)
{
	struct name before;
	enum socks_status st;
	uint8_t *copy = malloc(len ? len : 1);

	check(copy != NULL);
	if (len)
		memcpy(copy, data, len);
	memset(host, 0x5a, sizeof(*host));
	before = *host;
	st = socks_host(copy, len, host);
	free(copy);

	check(st >= SOCKS_NEED_MORE && st <= SOCKS_METHOD);
	check(strcmp(socks_status_str(st), "unknown") != 0);
	if (st == SOCKS_FOUND)
		check(host->len >= 1 && host->len <= NAME_MAX_LEN && host->s[host->len] == '\0' &&
		      name_is_hostname(host));
	else
		check(memcmp(host, &before, sizeof(before)) == 0);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct name whole, part;
	enum socks_status st = run(data, size, &whole);
	size_t cut[2] = { size / 2, size > 0 ? size - 1 : 0 };
	int i;

	for (i = 0; i < 2; i++) {
		enum socks_status ps = run(data, cut[i], &part);

		if (ps == SOCKS_NEED_MORE)
			continue;
		check(ps == st);
		if (ps == SOCKS_FOUND)
			check(name_eq(&part, &whole));
	}
	return 0;
}
