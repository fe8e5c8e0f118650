/* SPDX-License-Identifier: GPL-2.0-or-later */
/* name.c - normalising and escaping host names (see name.h). */
#include <errno.h>
#include <string.h>

#include "base/hostname.h"

int name_set(struct name *n, const uint8_t *p, size_t len)
{
	size_t i;

	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0)
		return -EINVAL;
	if (len > NAME_MAX_LEN)
		return -ENAMETOOLONG;
	for (i = 0; i < len; i++) {
		uint8_t b = p[i];

		n->s[i] = (char)(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b);
	}
	n->s[len] = '\0';
	n->len = (uint16_t)len;
	return 0;
}

#define LABEL_MAX 63

bool name_is_hostname(const struct name *n)
{
	size_t i, label = 0;

	for (i = 0; i < n->len; i++) {
		uint8_t b = (uint8_t)n->s[i];

		if (b == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' || b == '_'))
			return false;
		if (++label > LABEL_MAX)
			return false;
	}
	return label > 0;
}

bool name_is_address(const struct name *n)
{
	size_t end = n->len, start, i;
	bool hex;

	if (end > 0 && n->s[end - 1] == '.')
		end--;
	for (start = end; start > 0 && n->s[start - 1] != '.'; start--)
		;
	if (start == end)
		return false;
	hex = end - start >= 2 && n->s[start] == '0' && (n->s[start + 1] | 0x20) == 'x';
	for (i = start + (hex ? 2 : 0); i < end; i++) {
		uint8_t b = (uint8_t)n->s[i];

		if (!(b >= '0' && b <= '9') && !(hex && (b | 0x20) >= 'a' && (b | 0x20) <= 'f'))
			return false;
	}
	return true;
}

size_t name_escape(const struct name *n, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outsz == 0)
		return 0;
	for (i = 0; i < n->len; i++) {
		uint8_t b = (uint8_t)n->s[i];
		char tmp[4];
		size_t k = 0;

		if (b == '\\') {
			tmp[k++] = '\\';
			tmp[k++] = '\\';
		} else if (b >= 0x21 && b <= 0x7e) {
			tmp[k++] = (char)b;
		} else {
			tmp[k++] = '\\';
			tmp[k++] = 'x';
			tmp[k++] = hex[b >> 4];
			tmp[k++] = hex[b & 0xf];
		}
		if (o + k >= outsz)
			break;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

int name_eq(const struct name *a, const struct name *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}
