/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * disc_text.c - the text of discovery answers: decoding XML entities, JSON
 * escapes and %HH into bytes, escaping those into fixed-size printable
 * fields, MAC and IPv4 literals, and the bounded writer of the searches.
 */
#include <stdbool.h>
#include <string.h>

#include "decode/disc_internal.h"

static int hexval(uint8_t b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

bool byte_is_ws(uint8_t b)
{
	return b == ' ' || b == '\t' || b == '\r' || b == '\n';
}

void view_trim_ws(const uint8_t **p, size_t *len)
{
	while (*len > 0 && byte_is_ws((*p)[0])) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && byte_is_ws((*p)[*len - 1]))
		(*len)--;
}

static uint8_t lower(uint8_t b)
{
	return b >= 'A' && b <= 'Z' ? (uint8_t)(b + 'a' - 'A') : b;
}

bool bytes_eq_nocase(const uint8_t *p, size_t len, const char *lit)
{
	size_t i, n = strlen(lit);

	if (len != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower(p[i]) != lower((uint8_t)lit[i]))
			return false;
	return true;
}

bool bytes_ends_with(const uint8_t *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(p + len - n, lit, n) == 0;
}

void text_init(struct text_iter *it, const uint8_t *p, size_t len, enum text_mode mode)
{
	cur_init(&it->c, p, len);
	it->mode = mode;
	it->npend = it->ipend = 0;
}

/* Queue code point cp as UTF-8 (cp <= 0x10ffff). */
static void pend_utf8(struct text_iter *it, uint32_t cp)
{
	uint8_t *o = it->pend;

	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		it->npend = 1;
	} else if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		it->npend = 2;
	} else if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		it->npend = 3;
	} else {
		o[0] = (uint8_t)(0xf0 | cp >> 18);
		o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (uint8_t)(0x80 | (cp & 0x3f));
		it->npend = 4;
	}
	it->ipend = 0;
}

/* Whether the view starts with lit; if so, skip it. */
static bool cur_take(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if (cur_left(c) < n || memcmp(cur_ptr(c), lit, n) != 0)
		return false;
	return cur_skip(c, n);
}

/*
 * After '&': a named entity or a character reference ending in ';'.  An
 * '&' that starts neither is kept as it is (firmware does send bare ones).
 */
static bool xml_entity(struct text_iter *it, uint8_t *b)
{
	static const struct {
		const char *name;
		uint8_t b;
	} named[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' }
	};
	struct cursor c = it->c;
	uint32_t cp = 0;
	unsigned digits = 0, base = 10;
	uint8_t d = 0;
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (cur_take(&it->c, named[i].name)) {
			*b = named[i].b;
			return true;
		}
	}
	if (!cur_take(&c, "#"))
		return false;
	if (cur_take(&c, "x"))
		base = 16;
	while (cur_u8(&c, &d) && d != ';') {
		int v = base == 16 ? hexval(d) : (d >= '0' && d <= '9' ? d - '0' : -1);

		if (v < 0 || ++digits > 8)
			return false;
		cp = cp * base + (uint32_t)v;
	}
	if (d != ';' || digits == 0 || cp > 0x10ffff)
		return false;
	it->c = c;
	pend_utf8(it, cp);
	*b = it->pend[it->ipend++];
	return true;
}

/* After '\' in a string the JSON reader has validated. */
static void json_escape(struct text_iter *it, uint8_t *b)
{
	uint32_t cp = 0, lo = 0;
	uint8_t e = 0, h;
	int i;

	cur_u8(&it->c, &e);
	switch (e) {
	case 'b':
		*b = '\b';
		return;
	case 'f':
		*b = '\f';
		return;
	case 'n':
		*b = '\n';
		return;
	case 'r':
		*b = '\r';
		return;
	case 't':
		*b = '\t';
		return;
	case 'u':
		break;
	default: /* " \ / */
		*b = e;
		return;
	}
	for (i = 0; i < 4 && cur_u8(&it->c, &h); i++)
		cp = cp << 4 | (uint32_t)(hexval(h) & 0xf);
	if (cp >= 0xd800 && cp < 0xdc00 && cur_take(&it->c, "\\u")) {
		for (i = 0; i < 4 && cur_u8(&it->c, &h); i++)
			lo = lo << 4 | (uint32_t)(hexval(h) & 0xf);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	pend_utf8(it, cp);
	*b = it->pend[it->ipend++];
}

bool text_next(struct text_iter *it, uint8_t *b)
{
	uint8_t h, l;

	if (it->ipend < it->npend) {
		*b = it->pend[it->ipend++];
		return true;
	}
	if (!cur_u8(&it->c, b))
		return false;
	switch (it->mode) {
	case TEXT_XML:
		if (*b == '&')
			xml_entity(it, b);
		break;
	case TEXT_JSON:
		if (*b == '\\')
			json_escape(it, b);
		break;
	case TEXT_PERCENT:
		if (*b == '%' && cur_left(&it->c) >= 2 && hexval(cur_ptr(&it->c)[0]) >= 0 &&
		    hexval(cur_ptr(&it->c)[1]) >= 0) {
			cur_u8(&it->c, &h);
			cur_u8(&it->c, &l);
			*b = (uint8_t)(hexval(h) << 4 | hexval(l));
		}
		break;
	case TEXT_RAW:
		break;
	}
	return true;
}

/*
 * Escaped bytes go in whole or not at all; mark is where the text stood
 * when three more bytes (the "...") and the NUL still fitted, so that a cut
 * value ends in "..." and never in half an escape.
 */
void field_from_iter(char *dst, size_t cap, struct text_iter *it)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0, mark = 0, k;
	char unit[4];
	uint8_t b;

	if (cap < 4) {
		if (cap > 0)
			dst[0] = '\0';
		return;
	}
	while (text_next(it, &b)) {
		if (b == '\\') {
			unit[0] = unit[1] = '\\';
			k = 2;
		} else if (b >= 0x20 && b <= 0x7e) {
			unit[0] = (char)b;
			k = 1;
		} else {
			unit[0] = '\\';
			unit[1] = 'x';
			unit[2] = hex[b >> 4];
			unit[3] = hex[b & 0xf];
			k = 4;
		}
		if (len + k > cap - 1) {
			memcpy(dst + mark, "...", 3);
			dst[mark + 3] = '\0';
			return;
		}
		memcpy(dst + len, unit, k);
		len += k;
		if (len + 3 <= cap - 1)
			mark = len;
	}
	dst[len] = '\0';
}

void field_from(char *dst, size_t cap, const uint8_t *p, size_t len, enum text_mode mode)
{
	struct text_iter it;

	text_init(&it, p, len, mode);
	field_from_iter(dst, cap, &it);
}

bool text_decode(const uint8_t *p, size_t len, enum text_mode mode, uint8_t *buf, size_t cap,
		 size_t *outlen)
{
	struct text_iter it;
	size_t n = 0;
	uint8_t b;

	text_init(&it, p, len, mode);
	while (text_next(&it, &b)) {
		if (n == cap)
			return false;
		buf[n++] = b;
	}
	*outlen = n;
	return true;
}

/* XML values are trimmed of white space; JSON ones are taken as they are. */
static void slot_view(const struct disc_slot *s, enum text_mode mode, const uint8_t **p, size_t *n)
{
	*p = s->p;
	*n = s->len;
	if (mode == TEXT_XML)
		view_trim_ws(p, n);
}

bool slot_text(const struct disc_slot *s, enum text_mode mode, uint8_t *buf, size_t cap,
	       size_t *len)
{
	const uint8_t *p;
	size_t n;

	if (!s->seen)
		return false;
	slot_view(s, mode, &p, &n);
	return text_decode(p, n, mode, buf, cap, len);
}

void slot_field(const struct disc_slot *s, enum text_mode mode, char *dst, size_t cap)
{
	const uint8_t *p;
	size_t n;

	if (!s->seen)
		return;
	slot_view(s, mode, &p, &n);
	field_from(dst, cap, p, n, mode);
}

bool slot_nonempty(const struct disc_slot *s, enum text_mode mode)
{
	const uint8_t *p;
	size_t n;

	if (!s->seen)
		return false;
	slot_view(s, mode, &p, &n);
	return n > 0;
}

bool disc_parse_mac(const uint8_t *p, size_t len, uint8_t mac[6])
{
	uint8_t m[6];
	size_t i, step;
	uint8_t sep = 0;

	if (len == 17) {
		sep = p[2];
		if (sep != ':' && sep != '-')
			return false;
		step = 3;
	} else if (len == 12) {
		step = 2;
	} else {
		return false;
	}
	for (i = 0; i < 6; i++) {
		int h = hexval(p[i * step]), l = hexval(p[i * step + 1]);

		if (h < 0 || l < 0)
			return false;
		if (sep && i < 5 && p[i * step + 2] != sep)
			return false;
		m[i] = (uint8_t)(h << 4 | l);
	}
	memcpy(mac, m, 6);
	return true;
}

bool disc_parse_ipv4(const uint8_t *p, size_t len, uint8_t ip[4])
{
	uint8_t a[4];
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part > 0) {
			if (i >= len || p[i] != '.')
				return false;
			i++;
		}
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			if (digits > 0 && v == 0)
				return false; /* a leading zero: octal to some readers */
			v = v * 10 + (unsigned)(p[i] - '0');
			if (++digits > 3 || v > 255)
				return false;
			i++;
		}
		if (digits == 0)
			return false;
		a[part] = (uint8_t)v;
	}
	if (i != len)
		return false;
	memcpy(ip, a, 4);
	return true;
}

void out_init(struct disc_out *o, uint8_t *buf, size_t cap)
{
	o->p = buf;
	o->cap = buf ? cap : 0;
	o->len = 0;
	o->over = false;
}

void out_bytes(struct disc_out *o, const void *s, size_t n)
{
	if (o->over || o->cap - o->len < n) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

void out_str(struct disc_out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

size_t out_done(const struct disc_out *o)
{
	return o->over ? 0 : o->len;
}

bool disc_uuid_ok(const char *uuid)
{
	size_t i;

	if (!uuid)
		return false;
	for (i = 0; uuid[i]; i++) {
		char ch = uuid[i];

		if (i >= 48 || !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
				 (ch >= 'A' && ch <= 'Z') || ch == '-'))
			return false;
	}
	return i > 0;
}
