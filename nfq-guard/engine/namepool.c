/* SPDX-License-Identifier: GPL-2.0-or-later */
/* namepool.c - learned names' strings, shared and counted (see namepool.h). */
#include <stdlib.h>
#include <string.h>

#include "engine/namepool.h"

#define POOL_MIN_SLOTS 64

void name_pool_init(struct name_pool *p, const uint8_t *key)
{
	memset(p, 0, sizeof(*p));
	p->key = key;
}

void name_pool_fini(struct name_pool *p)
{
	free(p->slot);
	p->slot = NULL;
	p->mask = 0;
	p->count = 0;
}

static uint32_t pool_hash(const struct name_pool *p, const struct name *n)
{
	return (uint32_t)siphash(p->key, n->s, n->len);
}

/* Room for count + 1 at a load of at most 3/4: 0, or -1 without memory. */
static int pool_room(struct name_pool *p)
{
	size_t slots = p->slot ? p->mask + 1 : 0, n = slots ? slots : POOL_MIN_SLOTS, i;
	struct pooled_name **s;

	if (slots && (p->count + 1) * 4 <= slots * 3)
		return 0;
	while ((p->count + 1) * 4 > n * 3)
		n *= 2;
	s = calloc(n, sizeof(*s));
	if (!s)
		return -1;
	for (i = 0; i < slots; i++) {
		size_t j;

		if (!p->slot[i])
			continue;
		for (j = p->slot[i]->hash & (n - 1); s[j]; j = (j + 1) & (n - 1))
			;
		s[j] = p->slot[i];
	}
	free(p->slot);
	p->slot = s;
	p->mask = n - 1;
	return 0;
}

struct pooled_name *name_pool_get(struct name_pool *p, const struct name *n)
{
	uint32_t h = pool_hash(p, n);
	struct pooled_name *pn;
	size_t i;

	if (p->slot) {
		for (i = h & p->mask; (pn = p->slot[i]); i = (i + 1) & p->mask) {
			if (pn->hash == h && pn->len == n->len && !memcmp(pn->s, n->s, n->len)) {
				pn->refs++;
				return pn;
			}
		}
	}
	if (n->len > NAME_MAX_LEN || pool_room(p))
		return NULL;
	pn = malloc(sizeof(*pn) + n->len);
	if (!pn)
		return NULL;
	pn->refs = 1;
	pn->hash = h;
	pn->len = (uint8_t)n->len;
	memcpy(pn->s, n->s, n->len);
	for (i = h & p->mask; p->slot[i]; i = (i + 1) & p->mask)
		;
	p->slot[i] = pn;
	p->count++;
	return pn;
}

/* Is home, the slot a hash starts at, cyclically in (gap, at]? Then what is at stays. */
static int stays(size_t home, size_t gap, size_t at)
{
	return gap < at ? home > gap && home <= at : home > gap || home <= at;
}

void name_pool_put(struct name_pool *p, struct pooled_name *pn)
{
	size_t i, j;

	if (--pn->refs)
		return;
	for (i = pn->hash & p->mask; p->slot[i] != pn; i = (i + 1) & p->mask)
		;
	/* backward shift: no tombstones, so that a lookup stops at the first empty slot */
	for (j = (i + 1) & p->mask; p->slot[j]; j = (j + 1) & p->mask) {
		if (stays(p->slot[j]->hash & p->mask, i, j))
			continue;
		p->slot[i] = p->slot[j];
		i = j;
	}
	p->slot[i] = NULL;
	free(pn);
	if (--p->count == 0)
		name_pool_fini(p); /* an emptied cache gives its table back */
}

void pooled_name_copy(const struct pooled_name *pn, struct name *out)
{
	out->len = pn->len;
	memcpy(out->s, pn->s, pn->len);
	out->s[pn->len] = '\0';
}
