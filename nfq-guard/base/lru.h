/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lru.h - an intrusive hash table with a bound and an approximately
 * least-recently-used eviction ("second chance": a hit only sets a flag, so
 * a lookup touches no other entry), for every bounded cache of nfq-guard
 * (flows, learned names, devices seen).  The caller embeds struct lru_node
 * in its entry, computes the hash and compares keys; the table never
 * allocates per entry.
 */
#ifndef NFQG_LRU_H
#define NFQG_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lru_node {
	struct lru_node *hnext;	      /* hash chain */
	struct lru_node *prev, *next; /* newest first (by insertion or second chance) */
	uint32_t hash;
	bool used; /* found since it was last passed over for eviction */
};

struct lru_table {
	struct lru_node **buckets;
	size_t mask; /* buckets - 1, a power of two minus one */
	size_t count;
	size_t max; /* entries allowed */
	struct lru_node *head, *tail;
};

typedef bool (*lru_eq_fn)(const struct lru_node *n, const void *key);

/* lru_init - room for max entries; 0 or -ENOMEM. */
int lru_init(struct lru_table *t, size_t max);
/* lru_fini - free the buckets (not the entries: empty the table first). */
void lru_fini(struct lru_table *t);

/* The entry with this hash for which eq(node, key) holds, marked used; or NULL. */
struct lru_node *lru_find(struct lru_table *t, uint32_t hash, lru_eq_fn eq, const void *key);

/* Insert n (not in the table) as newest.  The caller keeps count <= max by
 * removing lru_victim() first when lru_full(). */
void lru_insert(struct lru_table *t, struct lru_node *n, uint32_t hash);
void lru_remove(struct lru_table *t, struct lru_node *n);

static inline bool lru_full(const struct lru_table *t)
{
	return t->count >= t->max;
}

/* The oldest entry (for emptying the table), or NULL. */
static inline struct lru_node *lru_oldest(const struct lru_table *t)
{
	return t->tail;
}

/*
 * lru_victim - the entry to evict: the oldest one not used since it was
 * last passed over; used ones get a second chance at the head.  NULL only
 * for an empty table.
 */
struct lru_node *lru_victim(struct lru_table *t);

/* A hash of len bytes, continuing from h (start with LRU_HASH_INIT). */
#define LRU_HASH_INIT 2166136261u
uint32_t lru_hash(uint32_t h, const void *p, size_t len);

#endif
