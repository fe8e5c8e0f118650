// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * defrag.c - fragments put back together for replay (see defrag.h).
 *
 * A datagram being put together keeps its pieces as ranges (no two may
 * overlap), its first fragment's header (for IPv6 the unfragmentable part,
 * whose last next-header byte is rewritten to the fragment's), and the
 * bytes in a buffer of its own.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/defrag.h"

#define IP_MAX 65535u
#define HDR_MAX 512 /* IPv4 header or IPv6 unfragmentable part kept */

struct piece {
	uint32_t off, end;
};

struct frag {
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	const uint8_t *data;
	uint32_t off, len;
	bool more;
	const uint8_t *hdr;
	size_t hdr_len, nh_at; /* IPv6: where the next header naming 44 is */
	uint8_t nh;	       /* IPv6: the fragment header's next header */
};

struct entry {
	bool used;
	struct frag key; /* family, proto, src, dst, id */
	uint64_t started;
	uint32_t total; /* 0 until the last fragment came */
	uint32_t have;
	unsigned int npieces;
	struct piece pieces[DEFRAG_MAX_PIECES];
	uint8_t hdr[HDR_MAX];
	size_t hdr_len, nh_at;
	uint8_t nh;
	bool has_first;
	uint8_t *buf; /* IP_MAX bytes */
};

struct defrag {
	struct entry *e[DEFRAG_MAX]; /* made when first needed */
	uint8_t *out;		     /* HDR_MAX + IP_MAX, made with the first entry */
	uint64_t dropped;
};

struct defrag *defrag_new(void)
{
	return calloc(1, sizeof(struct defrag));
}

void defrag_free(struct defrag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < DEFRAG_MAX; i++) {
		if (d->e[i])
			free(d->e[i]->buf);
		free(d->e[i]);
	}
	free(d->out);
	free(d);
}

uint64_t defrag_dropped(const struct defrag *d)
{
	return d->dropped;
}

/* An IPv4 fragment: true, *f filled; false for anything else. */
static bool parse_v4(const uint8_t *ip, size_t len, struct frag *f)
{
	uint16_t total, frag;
	size_t hlen;

	if (len < 20)
		return false;
	hlen = (size_t)(ip[0] & 15) * 4;
	total = (uint16_t)(ip[2] << 8 | ip[3]);
	frag = (uint16_t)(ip[6] << 8 | ip[7]);
	if (hlen < 20 || total < hlen || total > len || !(frag & 0x3fff))
		return false;
	memset(f, 0, sizeof(*f));
	f->family = 4;
	f->proto = ip[9];
	memcpy(f->src, ip + 12, 4);
	memcpy(f->dst, ip + 16, 4);
	f->id = (uint32_t)(ip[4] << 8 | ip[5]);
	f->off = (uint32_t)(frag & 0x1fff) * 8;
	f->more = frag & 0x2000;
	f->hdr = ip;
	f->hdr_len = hlen;
	f->data = ip + hlen;
	f->len = total - (uint32_t)hlen;
	return true;
}

/* An IPv6 fragment (not an atomic one): true, *f filled. */
static bool parse_v6(const uint8_t *ip, size_t len, struct frag *f)
{
	size_t pos = 40, nh_at = 6, end;
	uint8_t next;
	int n;

	if (len < 40)
		return false;
	end = 40 + (size_t)(ip[4] << 8 | ip[5]);
	if (end > len)
		return false;
	next = ip[6];
	for (n = 0; n < 9; n++) {
		if (next == 44) {
			uint16_t ofl;

			if (pos + 8 > end || pos > HDR_MAX)
				return false;
			ofl = (uint16_t)(ip[pos + 2] << 8 | ip[pos + 3]);
			if (!(ofl & 0xfff9))
				return false; /* atomic: the whole datagram */
			memset(f, 0, sizeof(*f));
			f->family = 6;
			memcpy(f->src, ip + 8, 16);
			memcpy(f->dst, ip + 24, 16);
			f->nh = ip[pos];
			f->id = (uint32_t)ip[pos + 4] << 24 | (uint32_t)ip[pos + 5] << 16 |
				(uint32_t)ip[pos + 6] << 8 | ip[pos + 7];
			f->off = ofl & 0xfff8;
			f->more = ofl & 1;
			f->hdr = ip;
			f->hdr_len = pos;
			f->nh_at = nh_at;
			f->data = ip + pos + 8;
			f->len = (uint32_t)(end - pos - 8);
			return true;
		}
		if (next != 0 && next != 43 && next != 60 && next != 51 && next != 135 &&
		    next != 139 && next != 140)
			return false;
		if (pos + 2 > end)
			return false;
		nh_at = pos;
		next = ip[pos];
		pos += next == 51 ? ((size_t)ip[pos + 1] + 2) * 4 : ((size_t)ip[pos + 1] + 1) * 8;
	}
	return false;
}

static bool same_datagram(const struct frag *a, const struct frag *b)
{
	return a->family == b->family && a->id == b->id && a->proto == b->proto &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

static void entry_drop(struct defrag *d, struct entry *e)
{
	e->used = false;
	d->dropped++;
}

/* The entry of f's datagram, or a new one (old ones timed out first); NULL when full. */
static struct entry *entry_get(struct defrag *d, const struct frag *f, uint64_t now)
{
	struct entry *free_e = NULL;
	size_t i, slot = DEFRAG_MAX;

	for (i = 0; i < DEFRAG_MAX; i++) {
		struct entry *e = d->e[i];

		if (!e) {
			if (slot == DEFRAG_MAX && !free_e)
				slot = i;
			continue;
		}
		if (e->used && now - e->started > DEFRAG_TIMEOUT_US)
			entry_drop(d, e);
		if (e->used && same_datagram(&e->key, f))
			return e;
		if (!e->used && !free_e)
			free_e = e;
	}
	if (!d->out && !(d->out = malloc(HDR_MAX + IP_MAX)))
		return NULL;
	if (!free_e && slot < DEFRAG_MAX) {
		free_e = calloc(1, sizeof(*free_e));
		if (!free_e || !(free_e->buf = malloc(IP_MAX))) {
			free(free_e);
			return NULL;
		}
		d->e[slot] = free_e;
	}
	if (!free_e)
		return NULL;
	free_e->used = true;
	free_e->key = *f;
	free_e->started = now;
	free_e->total = free_e->have = 0;
	free_e->npieces = 0;
	free_e->has_first = false;
	return free_e;
}

/* Add f's piece: 1 kept, 0 an exact duplicate, -1 the datagram must go. */
static int piece_add(struct entry *e, const struct frag *f)
{
	uint32_t end = f->off + f->len;

	if (end > IP_MAX || (f->more && f->len % 8) || (e->total && end > e->total) ||
	    (!f->more && e->total && end != e->total) || (!f->more && end < e->have))
		return -1;
	for (unsigned int i = 0; i < e->npieces; i++) {
		if (e->pieces[i].off == f->off && e->pieces[i].end == end)
			return 0;
		if (f->off < e->pieces[i].end && e->pieces[i].off < end)
			return -1; /* an overlap: the kernel drops the datagram */
	}
	if (e->npieces == DEFRAG_MAX_PIECES)
		return -1;
	for (unsigned int i = 0; i < e->npieces && !f->more; i++)
		if (e->pieces[i].end > end)
			return -1;
	e->pieces[e->npieces++] = (struct piece){ f->off, end };
	memcpy(e->buf + f->off, f->data, f->len);
	e->have += f->len;
	if (!f->more)
		e->total = end;
	if (f->off == 0) {
		if (f->hdr_len > HDR_MAX)
			return -1;
		memcpy(e->hdr, f->hdr, f->hdr_len);
		e->hdr_len = f->hdr_len;
		e->nh_at = f->nh_at;
		e->nh = f->nh;
		e->has_first = true;
	}
	return 1;
}

/* The whole datagram of a complete entry into d->out. */
static size_t assemble(struct defrag *d, struct entry *e)
{
	uint8_t *o = d->out;
	size_t n = e->hdr_len + e->total;

	memcpy(o, e->hdr, e->hdr_len);
	memcpy(o + e->hdr_len, e->buf, e->total);
	if (e->key.family == 4) {
		o[2] = (uint8_t)(n >> 8);
		o[3] = (uint8_t)n;
		o[6] = o[7] = 0;
		o[10] = o[11] = 0;
	} else {
		o[4] = (uint8_t)((n - 40) >> 8);
		o[5] = (uint8_t)(n - 40);
		o[e->nh_at] = e->nh;
	}
	return n;
}

enum defrag_result defrag_add(struct defrag *d, const uint8_t *ip, size_t len, uint64_t now,
			      const uint8_t **out, size_t *outlen)
{
	struct entry *e;
	struct frag f;
	int r;

	if (len < 1 || !((ip[0] >> 4 == 4 && parse_v4(ip, len, &f)) ||
			 (ip[0] >> 4 == 6 && parse_v6(ip, len, &f))))
		return DEFRAG_PASS;
	e = entry_get(d, &f, now);
	if (!e) {
		d->dropped++;
		return DEFRAG_DROPPED;
	}
	r = piece_add(e, &f);
	if (r < 0) {
		entry_drop(d, e);
		return DEFRAG_DROPPED;
	}
	if (!e->total || e->have != e->total || !e->has_first)
		return DEFRAG_HELD;
	if (e->hdr_len + e->total > IP_MAX + (e->key.family == 6 ? 40u : 0u)) {
		entry_drop(d, e);
		return DEFRAG_DROPPED;
	}
	*outlen = assemble(d, e);
	*out = d->out;
	e->used = false;
	return DEFRAG_DONE;
}
