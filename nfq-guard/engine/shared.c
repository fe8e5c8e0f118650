/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shared.c - the state all queues' engines share and its one lock (see
 * shared.h): the only file of the engine that locks.
 *
 * With several queues the kernel hashes a DNS answer and the device's next
 * SYN to different queues, so the device addresses seen and the names
 * learned must be common; flows stay per queue.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/shared.h"

/* Addresses learned under one hold of the lock: a message of thousands does not stall the others. */
#define SHARED_LEARN_BATCH 256

struct seen {
	struct lru_node node; /* first */
	uint8_t family;
	uint8_t addr[16];
	bool has_mac; /* the address was last seen from this MAC */
	uint8_t mac[6];
	uint64_t doubt_until; /* ms: a DNS answer to it could not be read (shared_doubt) */
};

/* A device found by its behaviour (engine_found_add): what the engines match it by. */
struct found {
	struct lru_node node; /* first */
	uint8_t mac[6];
	enum found_by by;
	char vendor[FOUND_VENDOR_MAX];
};

struct engine_shared {
	pthread_mutex_t lock;
	struct lru_table seen;
	struct names names;
	struct lru_table found; /* never evicted: a full table refuses */
	atomic_size_t nfound;	/* read without the lock: none, no lookup */
};

static bool found_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(((const struct found *)n)->mac, key, 6);
}

static bool seen_eq(const struct lru_node *n, const void *key)
{
	const struct seen *s = (const struct seen *)n;

	return !memcmp(&s->family, key, 1 + 16);
}

/* Does a rule with domains match the name (names_keep_fn)? */
static bool ruled_name(const struct name *nm, const void *arg)
{
	const struct policy *p = arg;

	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].domains && domain_set_match(p->rules[i].domains, nm))
			return true;
	return false;
}

struct engine_shared *engine_shared_new(const struct policy *p)
{
	struct engine_shared *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	if (pthread_mutex_init(&sh->lock, NULL))
		goto out_free;
	if (lru_init(&sh->seen, p->max_devices))
		goto out_mutex;
	if (names_init(&sh->names, p->max_names, p->name_ttl_floor))
		goto out_seen;
	if (lru_init(&sh->found, ENGINE_MAX_FOUND))
		goto out_names;
	names_set_keep(&sh->names, ruled_name, p);
	return sh;
out_names:
	names_fini(&sh->names);
out_seen:
	lru_fini(&sh->seen);
out_mutex:
	pthread_mutex_destroy(&sh->lock);
out_free:
	free(sh);
	return NULL;
}

void engine_shared_policy(struct engine_shared *sh, const struct policy *p)
{
	pthread_mutex_lock(&sh->lock);
	names_set_keep(&sh->names, ruled_name, p);
	pthread_mutex_unlock(&sh->lock);
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
	while ((n = lru_oldest(&sh->found))) {
		lru_remove(&sh->found, n);
		free(n);
	}
	lru_fini(&sh->found);
	names_fini(&sh->names);
	pthread_mutex_destroy(&sh->lock);
	free(sh);
}

int engine_found_add(struct engine_shared *sh, const uint8_t mac[6], enum found_by by,
		     const char *vendor, size_t max)
{
	uint32_t h = lru_hash(LRU_HASH_INIT, mac, 6);
	struct found *f;
	int r = 0;

	pthread_mutex_lock(&sh->lock);
	f = (struct found *)lru_find(&sh->found, h, found_eq, mac);
	if (!f) {
		if (sh->found.count >= max || lru_full(&sh->found)) {
			r = -ENOSPC;
			goto out;
		}
		f = calloc(1, sizeof(*f));
		if (!f) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(f->mac, mac, 6);
		lru_insert(&sh->found, &f->node, h);
		atomic_store(&sh->nfound, sh->found.count);
		r = 1;
	}
	f->by = by;
	snprintf(f->vendor, sizeof(f->vendor), "%s", vendor);
out:
	pthread_mutex_unlock(&sh->lock);
	return r;
}

size_t engine_found_count(struct engine_shared *sh)
{
	return atomic_load(&sh->nfound);
}

void shared_found(struct engine_shared *sh, struct device_key *dev)
{
	const struct found *f;

	if (!dev->has_mac || atomic_load(&sh->nfound) == 0)
		return;
	pthread_mutex_lock(&sh->lock);
	f = (const struct found *)lru_find(&sh->found, lru_hash(LRU_HASH_INIT, dev->mac, 6),
					   found_eq, dev->mac);
	if (f) {
		dev->found_by = f->by;
		memcpy(dev->found_vendor, f->vendor, sizeof(dev->found_vendor));
	}
	pthread_mutex_unlock(&sh->lock);
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

/* The seen entry of key; caller holds the lock. */
static struct seen *seen_find(struct engine_shared *sh, const uint8_t key[17])
{
	return (struct seen *)lru_find(&sh->seen, lru_hash(LRU_HASH_INIT, key, 17), seen_eq, key);
}

bool shared_seen_add(struct engine_shared *sh, uint8_t family, const uint8_t *addr,
		     const uint8_t *mac)
{
	struct lru_table *t = &sh->seen;
	bool evicted = false;
	uint8_t key[17];
	struct seen *s;

	addr_key(key, family, addr);
	pthread_mutex_lock(&sh->lock);
	s = seen_find(sh, key);
	if (s)
		goto out_mac;
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
	lru_insert(t, &s->node, lru_hash(LRU_HASH_INIT, key, sizeof(key)));
out_mac:
	if (mac) {
		s->has_mac = true;
		memcpy(s->mac, mac, 6);
	}
out_unlock:
	pthread_mutex_unlock(&sh->lock);
	return evicted;
}

void shared_doubt(struct engine_shared *sh, uint8_t family, const uint8_t *addr, uint64_t until)
{
	uint8_t key[17];
	struct seen *s;

	addr_key(key, family, addr);
	pthread_mutex_lock(&sh->lock);
	s = seen_find(sh, key);
	if (s && s->doubt_until < until)
		s->doubt_until = until;
	pthread_mutex_unlock(&sh->lock);
}

bool shared_doubted(struct engine_shared *sh, uint8_t family, const uint8_t *addr, uint64_t now)
{
	uint8_t key[17];
	struct seen *s;
	bool doubt;

	addr_key(key, family, addr);
	pthread_mutex_lock(&sh->lock);
	s = seen_find(sh, key);
	doubt = s && s->doubt_until > now;
	pthread_mutex_unlock(&sh->lock);
	return doubt;
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

void shared_learn(struct engine_shared *sh, struct way *w, uint8_t family, const uint8_t dev[16],
		  const struct dns_msg *msg, uint64_t now)
{
	struct way_pos pos = { 0 };
	struct names_dev who;
	uint8_t key[17];
	struct seen *s;

	if (!w)
		return; /* no memory for the scratch: nothing learned */
	addr_key(key, family, dev);
	pthread_mutex_lock(&sh->lock);
	s = seen_find(sh, key);
	if (s && s->has_mac)
		names_dev_mac(&who, s->mac);
	else
		names_dev_addr(&who, family, dev);
	pthread_mutex_unlock(&sh->lock);
	/* the links followed without the lock, the addresses learned a batch at a time */
	names_follow(&sh->names, w, msg);
	while (!pos.done) {
		pthread_mutex_lock(&sh->lock);
		names_learn_some(&sh->names, w, &who, msg, now, &pos, SHARED_LEARN_BATCH);
		pthread_mutex_unlock(&sh->lock);
	}
}

/* The names who learned for srv into out[*n..max), those not there yet. */
static void lookup_into(struct engine_shared *sh, const struct names_dev *who, uint8_t family,
			const uint8_t srv[16], uint64_t now, struct name *out, size_t *n,
			size_t max)
{
	const struct name *found[NAMES_PER_ADDR];
	size_t k, i, j, had = *n;

	k = names_lookup(&sh->names, who, family, srv, now, found, NAMES_PER_ADDR);
	for (i = 0; i < k && *n < max; i++) {
		for (j = 0; j < had && !name_eq(&out[j], found[i]); j++)
			;
		if (j == had)
			out[(*n)++] = *found[i];
	}
}

size_t shared_lookup(struct engine_shared *sh, const struct device_key *dev, uint8_t family,
		     const uint8_t srv[16], uint64_t now, struct name *out, size_t max)
{
	struct names_dev who;
	size_t n = 0;

	pthread_mutex_lock(&sh->lock);
	if (dev->has_mac) {
		names_dev_mac(&who, dev->mac);
		lookup_into(sh, &who, family, srv, now, out, &n, max);
	}
	/* and what was learned before its address was known to be the MAC's */
	if (dev->family) {
		names_dev_addr(&who, dev->family, dev->addr);
		lookup_into(sh, &who, family, srv, now, out, &n, max);
	}
	pthread_mutex_unlock(&sh->lock);
	return n;
}
