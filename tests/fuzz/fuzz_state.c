/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_state.c - libFuzzer harness for state_parse(): any bytes are a
 * state file or an error, never a crash, an over-read or a leak; what it
 * takes holds only exceptions `allow` would have taken (each field within
 * its bounds, NUL-terminated, printable).  Seeds: corpus/state.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void printable(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state_exceptions x;
	char err[EXCEPTION_ERR_MAX];

	if (state_parse((const char *)data, size, 0, &x, err, sizeof(err))) {
		if (!memchr(err, '\0', sizeof(err)) || x.n || x.v)
			abort();
		return 0;
	}
	if (x.n > EXCEPTION_MAX)
		abort();
	for (size_t i = 0; i < x.n; i++) {
		const struct exception_spec *s = x.v[i];

		printable(s->device, sizeof(s->device));
		printable(s->reason, sizeof(s->reason));
		if (s->nto > EXCEPTION_ITEMS || s->ndomain > EXCEPTION_ITEMS ||
		    s->nport > EXCEPTION_ITEMS || s->seconds < 1 ||
		    s->seconds > EXCEPTION_MAX_SECONDS || s->until < s->created ||
		    s->until > s->created + s->seconds || s->id == 0 || s->id > x.next_id)
			abort();
		for (uint8_t k = 0; k < s->nto; k++)
			printable(s->to[k], sizeof(s->to[k]));
		for (uint8_t k = 0; k < s->ndomain; k++)
			printable(s->domain[k], sizeof(s->domain[k]));
		for (uint8_t k = 0; k < s->nport; k++)
			if (s->port[k] == 0)
				abort();
	}
	state_exceptions_free(&x);
	return 0;
}
