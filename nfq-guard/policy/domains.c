/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * domains.c - domain pattern sets (see domains.h).
 *
 * One open-addressing hash table holds both kinds of pattern, keyed by the
 * name without "*." and a wildcard flag; the pattern text lives in one
 * growing arena, referred to by offset.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/domains.h"

struct slot {
	uint32_t hash;	 /* 0: empty */
	uint32_t off;	 /* pattern text in the arena ("*." included) */
	uint16_t keylen; /* length of the key (text without "*.") */
	uint8_t wildcard;
};

struct domain_set {
	struct slot *slots;
	size_t cap; /* power of two */
	size_t count;
	char *arena;
	size_t arena_len, arena_cap;
};

static uint32_t hash_key(const char *s, size_t len, bool wildcard)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	h = (h ^ (wildcard ? 1u : 2u)) * 16777619u;
	return h ? h : 1;
}

struct domain_set *domain_set_new(void)
{
	struct domain_set *ds = calloc(1, sizeof(*ds));

	if (!ds)
		return NULL;
	ds->cap = 64;
	ds->slots = calloc(ds->cap, sizeof(*ds->slots));
	if (!ds->slots) {
		free(ds);
		return NULL;
	}
	return ds;
}

void domain_set_free(struct domain_set *ds)
{
	if (!ds)
		return;
	free(ds->slots);
	free(ds->arena);
	free(ds);
}

size_t domain_set_count(const struct domain_set *ds)
{
	return ds->count;
}

static const char *slot_key(const struct domain_set *ds, const struct slot *s)
{
	return ds->arena + s->off + (s->wildcard ? 2 : 0);
}

static struct slot *find_slot(const struct domain_set *ds, const char *key, size_t len,
			      bool wildcard, uint32_t h)
{
	size_t i = h & (ds->cap - 1);

	for (;; i = (i + 1) & (ds->cap - 1)) {
		struct slot *s = &ds->slots[i];

		if (!s->hash)
			return s;
		if (s->hash == h && s->keylen == len && s->wildcard == wildcard &&
		    !memcmp(slot_key(ds, s), key, len))
			return s;
	}
}

static int grow(struct domain_set *ds)
{
	struct slot *old = ds->slots;
	size_t oldcap = ds->cap, i;

	ds->slots = calloc(oldcap * 2, sizeof(*ds->slots));
	if (!ds->slots) {
		ds->slots = old;
		return -ENOMEM;
	}
	ds->cap = oldcap * 2;
	for (i = 0; i < oldcap; i++) {
		if (old[i].hash) {
			size_t j = old[i].hash & (ds->cap - 1);

			while (ds->slots[j].hash)
				j = (j + 1) & (ds->cap - 1);
			ds->slots[j] = old[i];
		}
	}
	free(old);
	return 0;
}

/* Lower-case pattern into buf; check it is a host name (or "*." and one). */
static int normalise(const char *pattern, char *buf, size_t *len, bool *wildcard)
{
	size_t n = strlen(pattern), i, label = 0;
	const char *p = pattern;

	*wildcard = false;
	if (n >= 2 && p[0] == '*' && p[1] == '.') {
		*wildcard = true;
		p += 2;
		n -= 2;
	}
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n == 0 || n > NAME_MAX_LEN)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == '.') {
			if (label == 0)
				return -EINVAL;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			   c == '_') {
			if (++label > 63)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		buf[i] = c;
	}
	if (label == 0)
		return -EINVAL;
	buf[n] = '\0';
	*len = n;
	return 0;
}

int domain_set_add(struct domain_set *ds, const char *pattern)
{
	char key[NAME_MAX_LEN + 1];
	bool wildcard;
	size_t len, need;
	struct slot *s;
	uint32_t h;

	if (normalise(pattern, key, &len, &wildcard))
		return -EINVAL;
	if ((ds->count + 1) * 2 > ds->cap && grow(ds))
		return -ENOMEM;
	h = hash_key(key, len, wildcard);
	s = find_slot(ds, key, len, wildcard, h);
	if (s->hash)
		return 0;
	need = len + 3; /* "*." and NUL */
	if (ds->arena_len + need > ds->arena_cap) {
		size_t cap = ds->arena_cap ? ds->arena_cap * 2 : 4096;
		char *a;

		while (cap < ds->arena_len + need)
			cap *= 2;
		a = realloc(ds->arena, cap);
		if (!a)
			return -ENOMEM;
		ds->arena = a;
		ds->arena_cap = cap;
	}
	s->off = (uint32_t)ds->arena_len;
	if (wildcard) {
		memcpy(ds->arena + ds->arena_len, "*.", 2);
		ds->arena_len += 2;
	}
	memcpy(ds->arena + ds->arena_len, key, len + 1);
	ds->arena_len += len + 1;
	s->hash = h;
	s->keylen = (uint16_t)len;
	s->wildcard = wildcard;
	ds->count++;
	return 0;
}

static const struct slot *lookup(const struct domain_set *ds, const char *key, size_t len,
				 bool wildcard)
{
	const struct slot *s = find_slot(ds, key, len, wildcard, hash_key(key, len, wildcard));

	return s->hash ? s : NULL;
}

const char *domain_set_match(const struct domain_set *ds, const struct name *n)
{
	const struct slot *s;
	size_t i;

	if (ds->count == 0 || n->len == 0)
		return NULL;
	s = lookup(ds, n->s, n->len, false);
	if (s)
		return ds->arena + s->off;
	/* the name itself, then each parent: the longest wildcard wins */
	for (i = 0; i < n->len; i++) {
		if (i == 0 || n->s[i - 1] == '.') {
			s = lookup(ds, n->s + i, n->len - i, true);
			if (s)
				return ds->arena + s->off;
		}
	}
	return NULL;
}

/* Whether a wildcard of ds matches key: one for key itself or a parent of it. */
static bool wildcard_covers(const struct domain_set *ds, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((i == 0 || key[i - 1] == '.') && lookup(ds, key + i, len - i, true))
			return true;
	return false;
}

bool domain_set_covers(const struct domain_set *a, const struct domain_set *b)
{
	size_t i;

	for (i = 0; i < b->cap; i++) {
		const struct slot *s = &b->slots[i];
		const char *key;

		if (!s->hash)
			continue;
		key = slot_key(b, s);
		if (!s->wildcard && lookup(a, key, s->keylen, false))
			continue;
		if (!wildcard_covers(a, key, s->keylen))
			return false;
	}
	return true;
}
