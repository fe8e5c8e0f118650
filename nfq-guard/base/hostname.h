/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * name.h - host names as nfq-guard keeps them: bytes, lower-cased ASCII,
 * no trailing dot, at most NAME_MAX_LEN bytes.  Hostile bytes are kept as
 * they came and escaped only when printed.
 */
#ifndef NFQG_NAME_H
#define NFQG_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAME_MAX_LEN 253 /* longest textual DNS name without the final dot */
/* name_escape() needs at most this many bytes, NUL included */
#define NAME_ESCAPED_MAX (4 * NAME_MAX_LEN + 1)

struct name {
	uint16_t len;		  /* bytes in s, not counting the NUL */
	char s[NAME_MAX_LEN + 1]; /* NUL-terminated; may hold NUL bytes */
};

/*
 * name_set - store len bytes at p as a name: ASCII letters lower-cased, one
 * trailing dot removed.  Returns 0, or -EINVAL for an empty name (or a lone
 * dot) and -ENAMETOOLONG for more than NAME_MAX_LEN bytes.  *n is written
 * only on success.
 */
int name_set(struct name *n, const uint8_t *p, size_t len);

/*
 * name_escape - write n into out as printable text: bytes 0x21-0x7e as they
 * are (a backslash doubled), every other byte as \xHH.  out holds outsz
 * bytes; NAME_ESCAPED_MAX is always enough.  Returns the length written
 * (output truncated to fit, always NUL-terminated when outsz > 0).
 */
size_t name_escape(const struct name *n, char *out, size_t outsz);

/*
 * name_is_hostname - whether n is a host name a resolver could be asked
 * for: labels of ASCII letters, digits, '-' and '_', each 1 to 63 bytes
 * (no empty label: no leading dot, no "..", no second trailing dot), which
 * dotted IPv4 literals are too.  A server name or Host that is not is
 * unreadable to nfq-guard, whatever a server would make of it.
 */
bool name_is_hostname(const struct name *n);

/*
 * name_is_address - whether a host name n is one a URL parser or
 * inet_aton(3) takes for an IPv4 address (WHATWG URL's "ends in a number"):
 * its last label all decimal digits, or "0x" and hex digits, so that
 * 198.51.100.9, 3325256713, 0xc6336409 and 0xc6.0x33.0x64.9 all are.  A
 * proxy asked for such a "name" connects to an address.
 */
bool name_is_address(const struct name *n);

/* Byte-wise equality. */
int name_eq(const struct name *a, const struct name *b);

#endif
