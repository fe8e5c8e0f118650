/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_http.c - libFuzzer harness for http_host(): any bytes, whole and
 * cut short, must give a sane status, a well-formed host, and answers that
 * do not change as more bytes arrive.  Seeds: tests/fuzz/corpus/http.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/http.h"

#define SENTINEL 0x5a

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool is_v6_byte(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || b == ':' || b == '.';
}

/* What http.h and name.h promise of a host found. */
static void check_host(const struct name *host)
{
	bool colon = false, v6 = true;
	uint16_t i;

	check(host->len >= 1 && host->len <= NAME_MAX_LEN);
	check(host->s[host->len] == '\0');
	for (i = 0; i < host->len; i++) {
		uint8_t b = (uint8_t)host->s[i];

		check(!(b >= 'A' && b <= 'Z'));
		check(b > ' ' && b != 0x7f);
		check(!memchr("/?#@[]\\,\"<>{}|^`", b, 16));
		if (b == ':')
			colon = true;
		if (!is_v6_byte(b))
			v6 = false;
	}
	/* a colon only in an IPv6 literal (the port is gone); else a host name */
	check(!colon || v6);
	check(colon || name_is_hostname(host));
}

/* http_host() on a copy of exactly len bytes, so ASan sees an over-read. */
static enum http_status run(const uint8_t *data, size_t len, struct name *host)
{
	struct name before;
	enum http_status st;
	uint8_t *copy = NULL;

	if (len > 0) {
		copy = malloc(len);
		check(copy != NULL);
		memcpy(copy, data, len);
	}
	memset(host, SENTINEL, sizeof(*host));
	before = *host;
	st = http_host(copy, len, host);
	free(copy);

	check(st >= HTTP_NEED_MORE && st <= HTTP_CONNECT_ADDR);
	check(strcmp(http_status_str(st), "unknown") != 0);
	if (st == HTTP_FOUND)
		check_host(host);
	else
		check(memcmp(host, &before, sizeof(before)) == 0);
	/* running out of bytes is TOO_LARGE only with a full window */
	if (st == HTTP_NEED_MORE)
		check(len < HTTP_HEAD_MAX);
	if (st == HTTP_TOO_LARGE)
		check(len >= HTTP_HEAD_MAX);
	/* a TLS record is never taken for a request */
	if (len > 0 && data[0] == 0x16)
		check(st == HTTP_NOT_HTTP);
	return st;
}

/* A prefix answers NEED_MORE or what the whole input answers. */
static void check_prefix(const uint8_t *data, size_t len, enum http_status whole,
			 const struct name *whole_host)
{
	struct name host;
	enum http_status st = run(data, len, &host);

	if (st == HTTP_NEED_MORE)
		return;
	check(st == whole);
	if (st == HTTP_FOUND)
		check(name_eq(&host, whole_host));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct name host, again;
	enum http_status st;

	st = run(data, size, &host);
	check(run(data, size, &again) == st);
	if (st == HTTP_FOUND)
		check(name_eq(&host, &again));
	if (size > 0) {
		check_prefix(data, size / 2, st, &host);
		check_prefix(data, size - 1, st, &host);
	}
	return 0;
}
