/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shared.c - the state all queues' engines share and its one lock (see
 * shared.h): the only file of the engine that locks.
 *
 * With several queues the kernel hashes a DNS answer and the device's next
 * SYN to different queues, so the device addresses seen and the names
 * learned must be common; flows stay per queue.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/shared.h"

struct seen {
	struct lru_node node; /* first */
	uint8_t family;
	uint8_t addr[16];
};

struct engine_shared {
	pthread_mutex_t lock;
	struct lru_table seen;
	struct names names;
};

static bool seen_eq(const struct lru_node *n, const void *key)
{
	const struct seen *s = (const struct seen *)n;

	return !memcmp(&s->family, key, 1 + 16);
}

struct engine_shared *engine_shared_new(const struct policy *p)
{
	struct engine_shared *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	if (pthread_mutex_init(&sh->lock, NULL))
		goto out_free;
	if (lru_init(&sh->seen, ENGINE_MAX_DEVICES))
		goto out_mutex;
	if (names_init(&sh->names, p->max_names, p->name_ttl_floor))
		goto out_seen;
	return sh;
out_seen:
	lru_fini(&sh->seen);
out_mutex:
	pthread_mutex_destroy(&sh->lock);
out_free:
	free(sh);
	return NULL;
}

void engine_shared_free(struct engine_shared *sh)
{
	struct lru_node *n;

	if (!sh)
		return;
	while ((n = lru_oldest(&sh->seen))) {
		lru_remove(&sh->seen, n);
		free(n);
	}
	lru_fini(&sh->seen);
	names_fini(&sh->names);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

void engine_shared_flush(struct engine_shared *sh)
{
	pthread_mutex_lock(&sh->lock);
	names_flush(&sh->names);
	pthread_mutex_unlock(&sh->lock);
}

void engine_shared_sizes(struct engine_shared *sh, struct engine_shared_sizes *s)
{
	pthread_mutex_lock(&sh->lock);
	s->names = sh->names.st;
	s->names.entries = sh->names.t.count;
	s->names_max = sh->names.t.max;
	s->seen = sh->seen.count;
	s->seen_max = sh->seen.max;
	pthread_mutex_unlock(&sh->lock);
}

const struct names_stats *shared_names_stats(const struct engine_shared *sh)
{
	return &sh->names.st;
}

static void addr_key(uint8_t key[17], uint8_t family, const uint8_t *addr)
{
	memset(key, 0, 17);
	key[0] = family;
	memcpy(key + 1, addr, family == 4 ? 4 : 16);
}

bool shared_seen_add(struct engine_shared *sh, uint8_t family, const uint8_t *addr)
{
	struct lru_table *t = &sh->seen;
	bool evicted = false;
	uint8_t key[17];
	uint32_t h;
	struct seen *s;

	addr_key(key, family, addr);
	h = lru_hash(LRU_HASH_INIT, key, sizeof(key));
	pthread_mutex_lock(&sh->lock);
	if (lru_find(t, h, seen_eq, key))
		goto out_unlock;
	if (lru_full(t)) {
		struct lru_node *o = lru_victim(t);

		lru_remove(t, o);
		free(o);
		evicted = true;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto out_unlock;
	memcpy(&s->family, key, sizeof(key));
	lru_insert(t, &s->node, h);
out_unlock:
	pthread_mutex_unlock(&sh->lock);
	return evicted;
}

bool shared_seen_has(struct engine_shared *sh, uint8_t family, const uint8_t *addr)
{
	uint8_t key[17];
	bool seen;

	addr_key(key, family, addr);
	pthread_mutex_lock(&sh->lock);
	seen = lru_find(&sh->seen, lru_hash(LRU_HASH_INIT, key, sizeof(key)), seen_eq, key);
	pthread_mutex_unlock(&sh->lock);
	return seen;
}

void shared_learn(struct engine_shared *sh, uint8_t family, const uint8_t dev[16],
		  const struct dns_msg *msg, uint64_t now)
{
	pthread_mutex_lock(&sh->lock);
	names_learn(&sh->names, family, dev, msg, now);
	pthread_mutex_unlock(&sh->lock);
}

size_t shared_lookup(struct engine_shared *sh, uint8_t family, const uint8_t dev[16],
		     const uint8_t srv[16], uint64_t now, struct name *out, size_t max)
{
	const struct name *found[NAMES_PER_ADDR];
	size_t n, i;

	if (max > NAMES_PER_ADDR)
		max = NAMES_PER_ADDR;
	pthread_mutex_lock(&sh->lock);
	n = names_lookup(&sh->names, family, dev, srv, now, found, max);
	for (i = 0; i < n; i++)
		out[i] = *found[i];
	pthread_mutex_unlock(&sh->lock);
	return n;
}
