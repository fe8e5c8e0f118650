/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lru.c - bounded hash table in least-recently-used order (see lru.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/lru.h"

int lru_init(struct lru_table *t, size_t max)
{
	size_t n = 16;

	while (n < max && n < ((size_t)1 << 30))
		n <<= 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	t->max = max;
	t->head = t->tail = NULL;
	return 0;
}

void lru_fini(struct lru_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

uint32_t lru_hash(uint32_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t x = h, w;

	/* eight bytes a step: keys are addresses and ports, 17 to 40 bytes */
	for (; len >= 8; len -= 8, b += 8) {
		memcpy(&w, b, 8);
		x = (x ^ w) * 0x9e3779b97f4a7c15ull;
		x ^= x >> 29;
	}
	if (len) {
		w = 0;
		memcpy(&w, b, len);
		x = (x ^ w ^ ((uint64_t)len << 56)) * 0x9e3779b97f4a7c15ull;
		x ^= x >> 29;
	}
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(x ^ (x >> 32));
}

static void unlink_order(struct lru_table *t, struct lru_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		t->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		t->tail = n->prev;
	n->prev = n->next = NULL;
}

static void push_front(struct lru_table *t, struct lru_node *n)
{
	n->prev = NULL;
	n->next = t->head;
	if (t->head)
		t->head->prev = n;
	t->head = n;
	if (!t->tail)
		t->tail = n;
}

struct lru_node *lru_find(struct lru_table *t, uint32_t hash, lru_eq_fn eq, const void *key)
{
	struct lru_node *n;

	for (n = t->buckets[hash & t->mask]; n; n = n->hnext) {
		if (n->hash == hash && eq(n, key)) {
			n->used = true;
			return n;
		}
	}
	return NULL;
}

struct lru_node *lru_victim(struct lru_table *t)
{
	struct lru_node *n;

	/* each pass clears a flag, so this ends within count steps */
	while ((n = t->tail) && n->used) {
		n->used = false;
		unlink_order(t, n);
		push_front(t, n);
	}
	return n;
}

void lru_insert(struct lru_table *t, struct lru_node *n, uint32_t hash)
{
	struct lru_node **b = &t->buckets[hash & t->mask];

	n->hash = hash;
	n->used = false;
	n->hnext = *b;
	*b = n;
	push_front(t, n);
	t->count++;
}

void lru_remove(struct lru_table *t, struct lru_node *n)
{
	struct lru_node **pp;

	for (pp = &t->buckets[n->hash & t->mask]; *pp; pp = &(*pp)->hnext) {
		if (*pp == n) {
			*pp = n->hnext;
			break;
		}
	}
	unlink_order(t, n);
	t->count--;
}
