/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cursor.h - the one bounds-checked way to read packet bytes.
 *
 * Every read compares the remaining length first; a failed read returns
 * false and leaves the cursor where it was.  No code outside this file does
 * pointer arithmetic on packet data.
 */
#ifndef NFQG_CURSOR_H
#define NFQG_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p; /* next unread byte */
	size_t len;	  /* bytes left from p */
};

static inline void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = p ? len : 0;
}

static inline size_t cur_left(const struct cursor *c)
{
	return c->len;
}

/* A view of the unread bytes; valid for cur_left() bytes. */
static inline const uint8_t *cur_ptr(const struct cursor *c)
{
	return c->p;
}

static inline bool cur_skip(struct cursor *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool cur_u8(struct cursor *c, uint8_t *v)
{
	if (c->len < 1)
		return false;
	*v = c->p[0];
	return cur_skip(c, 1);
}

static inline bool cur_u16be(struct cursor *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	return cur_skip(c, 2);
}

static inline bool cur_u24be(struct cursor *c, uint32_t *v)
{
	if (c->len < 3)
		return false;
	*v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	return cur_skip(c, 3);
}

static inline bool cur_u32be(struct cursor *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	return cur_skip(c, 4);
}

/* Take the next n bytes as a view *v (not copied). */
static inline bool cur_bytes(struct cursor *c, size_t n, const uint8_t **v)
{
	if (c->len < n)
		return false;
	*v = c->p;
	return cur_skip(c, n);
}

/* Take the next n bytes as a cursor of their own. */
static inline bool cur_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	const uint8_t *v;

	if (!cur_bytes(c, n, &v))
		return false;
	cur_init(sub, v, n);
	return true;
}

/* Cut the view to its first n bytes (drops trailing padding). */
static inline bool cur_truncate(struct cursor *c, size_t n)
{
	if (c->len < n)
		return false;
	c->len = n;
	return true;
}

#endif
