/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_vendors.c - libFuzzer harness for the MAC registry: the first byte
 * picks registry_parse_csv() (odd) or registry_parse_manuf() (even) for the
 * rest; whatever the bytes, a parse must end in 0 or -EINVAL with a line,
 * keep the registry's promises (names bounded and terminated, hits sorted
 * and counted once, a failed parse adds nothing, a second parse of the
 * same input adds nothing) and the text forms must round-trip.
 * Seeds: corpus/vendors.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/vendors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HITS 16
#define TEXT_MAX 64

/* Where the sums go, so the reads are not optimised away. */
static volatile unsigned int sink;

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool has_a(const char *s)
{
	for (; *s; s++)
		if (lower(*s) == 'a')
			return true;
	return false;
}

static int parse(struct registry *r, bool csv, const char *buf, size_t len)
{
	unsigned int line = 0;
	size_t before = registry_count(r);
	int err;

	if (csv)
		err = registry_parse_csv(r, buf, len, &line);
	else
		err = registry_parse_manuf(r, buf, len, &line);
	if (err == -EINVAL && (line == 0 || registry_count(r) != before))
		abort();
	if (err != 0 && err != -EINVAL && err != -ENOMEM)
		abort();
	return err;
}

static void check_registry(const struct registry *r)
{
	struct registry_hit hits[HITS];
	size_t n, i;

	if (registry_match(r, "", NULL, 0) != registry_count(r))
		abort();
	n = registry_match(r, "A", hits, HITS);
	if (n != registry_match(r, "a", NULL, 0))
		abort();
	for (i = 0; i < n && i < HITS; i++) {
		const struct registry_hit *h = &hits[i];
		struct oui_prefix q;
		size_t len = strlen(h->org);

		if (len == 0 || len >= OUI_ORG_MAX || !has_a(h->org))
			abort();
		if (h->org[0] == ' ' || h->org[len - 1] == ' ')
			abort();
		if (i > 0) {
			int c = memcmp(hits[i - 1].prefix.addr, h->prefix.addr, 6);

			if (c > 0 || (c == 0 && hits[i - 1].prefix.bits >= h->prefix.bits))
				abort();
		}
		/* a block is held in its own form: its address is its prefix */
		oui_of(h->prefix.addr, h->prefix.bits, &q);
		if (memcmp(&q, &h->prefix, sizeof(q)) != 0)
			abort();
		sink += (unsigned int)len;
	}
}

static void check_text(const char *s)
{
	struct oui_prefix p, q;
	char buf[OUI_STR_MAX];
	uint8_t mac[6];

	if (mac_parse(s, mac) == 0) {
		memcpy(p.addr, mac, 6);
		p.bits = 48;
		oui_format(&p, buf, sizeof(buf));
		if (mac_parse(buf, mac) != 0 || memcmp(mac, p.addr, 6) != 0)
			abort();
	}
	if (oui_parse(s, &p) == 0) {
		if (p.bits != 24 && p.bits != 28 && p.bits != 36 && p.bits != 48)
			abort();
		oui_of(p.addr, p.bits, &q);
		if (memcmp(&q, &p, sizeof(p)) != 0)
			abort();
		oui_format(&p, buf, sizeof(buf));
		if (oui_parse(buf, &q) != 0 || memcmp(&p, &q, sizeof(p)) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 1;
	size_t len = size - 1, count;
	char text[TEXT_MAX + 1];
	struct registry *r;
	bool csv;

	if (size == 0)
		return 0;
	csv = data[0] & 1;

	r = registry_new();
	if (!r)
		return 0;
	if (parse(r, csv, buf, len) == 0) {
		check_registry(r);
		if (size >= 7)
			sink += (unsigned int)registry_match(r, "a", NULL, 0);
		/* a second load of the same file merges into nothing new */
		count = registry_count(r);
		if (parse(r, csv, buf, len) == 0 && registry_count(r) != count)
			abort();
		check_registry(r);
	}
	registry_free(r);

	memcpy(text, buf, len < TEXT_MAX ? len : TEXT_MAX);
	text[len < TEXT_MAX ? len : TEXT_MAX] = '\0';
	check_text(text);
	return 0;
}
