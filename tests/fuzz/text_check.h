/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text_check.h - what the fuzzers check of a decoder's escaped text field:
 * NUL-terminated within its size, printable ASCII, its backslashes only in
 * \\ and \xHH (disc_text.c's escaping, which decode/dhcp.c shares).
 */
#ifndef NFQG_FUZZ_TEXT_CHECK_H
#define NFQG_FUZZ_TEXT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define SENTINEL 0x5a

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void check_field(const char *f, size_t size)
{
	const char *end = memchr(f, '\0', size);
	size_t i, n;

	check(end != NULL);
	n = (size_t)(end - f);
	for (i = 0; i < n; i++) {
		check(f[i] >= 0x20 && f[i] <= 0x7e);
		if (f[i] != '\\')
			continue;
		check(i + 1 < n);
		if (f[i + 1] == '\\') {
			i++;
			continue;
		}
		check(f[i + 1] == 'x' && i + 3 < n && is_hex(f[i + 2]) && is_hex(f[i + 3]));
		i += 3;
	}
}

#endif
