/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netaddr.h - IPv4/IPv6 addresses and prefixes (CIDR) as the policy names them. */
#ifndef NFQG_NETADDR_H
#define NFQG_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2001:db8:ffff:ffff:ffff:ffff:255.255.255.255/128" and a NUL */
#define CIDR_STR_MAX 52

struct cidr {
	uint8_t family;	  /* 4 or 6 */
	uint8_t len;	  /* prefix length */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes; host bits zero */
};

/*
 * cidr_parse - read "192.0.2.0/24", "2001:db8::/32" or a plain address
 * (a /32 or /128).  Returns 0, or -EINVAL for a bad address or length, and
 * -EBADMSG when bits are set past the prefix length (192.0.2.1/24: almost
 * always a typo, so it is refused rather than silently masked).
 */
int cidr_parse(const char *s, struct cidr *out);

bool cidr_contains(const struct cidr *c, uint8_t family, const uint8_t *addr);

/* True when any of the n prefixes contains the address. */
bool cidr_list_contains(const struct cidr *list, size_t n, uint8_t family, const uint8_t *addr);

void cidr_format(const struct cidr *c, char *buf, size_t sz);

/* "192.0.2.1" or "2001:db8::1" into family and addr (16 bytes); 0 or -EINVAL. */
int addr_parse(const char *s, uint8_t *family, uint8_t addr[16]);

#endif
