/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netaddr.c - addresses and prefixes (see netaddr.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/netaddr.h"

int addr_parse(const char *s, uint8_t *family, uint8_t addr[16])
{
	uint8_t a[16] = { 0 };

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a) != 1)
			return -EINVAL;
		*family = 6;
	} else {
		if (inet_pton(AF_INET, s, a) != 1)
			return -EINVAL;
		*family = 4;
	}
	memcpy(addr, a, 16);
	return 0;
}

static bool prefix_eq(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;

	if (memcmp(a, b, full))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		if ((a[full] & m) != (b[full] & m))
			return false;
	}
	return true;
}

int cidr_parse(const char *s, struct cidr *out)
{
	char buf[CIDR_STR_MAX + 8];
	const char *slash = strchr(s, '/');
	struct cidr c = { 0 };
	unsigned long len;
	unsigned int max, i;
	char *end;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (slash)
		buf[slash - s] = '\0';
	if (addr_parse(buf, &c.family, c.addr))
		return -EINVAL;
	max = c.family == 4 ? 32 : 128;
	len = max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || len > max)
			return -EINVAL;
	}
	c.len = (uint8_t)len;
	for (i = c.len; i < max; i++)
		if (c.addr[i / 8] & (0x80 >> (i % 8)))
			return -EBADMSG;
	*out = c;
	return 0;
}

bool cidr_contains(const struct cidr *c, uint8_t family, const uint8_t *addr)
{
	return c->family == family && prefix_eq(c->addr, addr, c->len);
}

bool cidr_list_contains(const struct cidr *list, size_t n, uint8_t family, const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cidr_contains(&list[i], family, addr))
			return true;
	return false;
}

void cidr_format(const struct cidr *c, char *buf, size_t sz)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a));
	snprintf(buf, sz, "%s/%u", a, c->len);
}
