/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evlimit.c - event rate limiting (see evlimit.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "service/evlimit.h"
#include "base/lru.h"

int evlimit_init(struct evlimit *l, uint64_t interval_ms, evlimit_out_fn out, void *arg)
{
	memset(l, 0, sizeof(*l));
	l->interval = interval_ms;
	l->out = out;
	l->arg = arg;
	l->slots = calloc(EVLIMIT_SLOTS, sizeof(*l->slots));
	return l->slots ? 0 : -ENOMEM;
}

void evlimit_fini(struct evlimit *l)
{
	free(l->slots);
	l->slots = NULL;
}

/* The key: who (MAC, else source address), which rule, what action. */
static void key_of(const struct event *ev, uint8_t key[EVLIMIT_KEY])
{
	const struct decision *d = ev->d;
	uintptr_t rule = (uintptr_t)d->rule; /* NULL: the default */

	memset(key, 0, EVLIMIT_KEY);
	if (ev->has_mac) {
		key[0] = 1;
		memcpy(key + 1, ev->mac, 6);
	} else {
		key[0] = ev->flow->family;
		memcpy(key + 1, ev->flow->src, 16);
	}
	memcpy(key + 17, &rule, sizeof(rule));
	key[25] = (uint8_t)d->action;
}

static void summarize(struct evlimit *l, struct evlimit_slot *s)
{
	if (s->count) {
		s->ev.repeated = s->count;
		l->summaries++;
		l->out(&s->ev, l->arg);
	}
	s->used = false;
	s->count = 0;
}

static void hold(struct evlimit_slot *s, const struct event *ev)
{
	s->ev = *ev;
	s->flow = *ev->flow;
	s->d = *ev->d;
	s->ev.flow = &s->flow;
	s->ev.d = &s->d;
	s->count++;
}

bool evlimit_admit(struct evlimit *l, const struct event *ev, uint64_t now)
{
	struct evlimit_slot *s, *oldest = NULL, *free_slot = NULL;
	uint8_t key[EVLIMIT_KEY];
	uint32_t h;
	size_t i;

	if (!l->interval || !l->slots)
		return true;
	key_of(ev, key);
	h = lru_hash(LRU_HASH_INIT, key, sizeof(key));
	for (i = 0; i < EVLIMIT_PROBE; i++) {
		s = &l->slots[(h + i) % EVLIMIT_SLOTS];
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (!memcmp(s->key, key, sizeof(key))) {
			/* a clock stepping back must not hold events forever */
			if (now >= s->start && now - s->start < l->interval) {
				hold(s, ev);
				l->held++;
				return false;
			}
			summarize(l, s);
			free_slot = s;
			break;
		}
		if (!oldest || s->start < oldest->start)
			oldest = s;
	}
	if (!free_slot) {
		summarize(l, oldest);
		free_slot = oldest;
	}
	free_slot->used = true;
	memcpy(free_slot->key, key, sizeof(key));
	free_slot->start = now;
	free_slot->count = 0;
	return true;
}

void evlimit_expire(struct evlimit *l, uint64_t now, bool all)
{
	size_t i;

	if (!l->slots)
		return;
	for (i = 0; i < EVLIMIT_SLOTS; i++) {
		struct evlimit_slot *s = &l->slots[i];

		if (s->used && (all || now < s->start || now - s->start >= l->interval))
			summarize(l, s);
	}
}
