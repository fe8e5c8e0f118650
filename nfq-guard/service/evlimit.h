/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evlimit.h - event rate limiting: per device and rule, the first event of
 * a window is written at once; the rest of the window is counted, and when
 * the window ends the last of them is written once with the count
 * ("repeated": N).  A camera retrying a blocked cloud every second gives
 * two lines per window, not hundreds.  Bounded: EVLIMIT_SLOTS keys; a new
 * key pushes out the oldest window (written first if it holds a count).
 * Keys hold rule pointers: end every window (evlimit_expire all) before the
 * policy they point into goes.  Not thread-safe: the caller holds its lock.
 */
#ifndef NFQG_EVLIMIT_H
#define NFQG_EVLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "print/event.h"

#define EVLIMIT_SLOTS 1024
#define EVLIMIT_PROBE 16
#define EVLIMIT_KEY 32

struct evlimit_slot {
	bool used;
	uint8_t key[EVLIMIT_KEY];
	uint64_t start;	 /* ms: the window's first event */
	uint32_t count;	 /* events held back in this window */
	struct event ev; /* the last one held back, with its own copies: */
	struct engine_flow_key flow;
	struct decision d;
};

/* Called with an event that was held back, ev->repeated set to the count. */
typedef void (*evlimit_out_fn)(const struct event *ev, void *arg);

struct evlimit {
	uint64_t interval; /* ms; 0: no limiting */
	evlimit_out_fn out;
	void *arg;
	uint64_t held, summaries; /* counters */
	struct evlimit_slot *slots;
};

/* evlimit_init - 0 or -ENOMEM. */
int evlimit_init(struct evlimit *l, uint64_t interval_ms, evlimit_out_fn out, void *arg);
void evlimit_fini(struct evlimit *l);

/*
 * evlimit_admit - true: write ev now; false: it was held back (and will be
 * summed up by a later evlimit_expire or admit).  now in ms, monotonic.
 */
bool evlimit_admit(struct evlimit *l, const struct event *ev, uint64_t now);

/* evlimit_expire - end every window older than the interval (all: every one). */
void evlimit_expire(struct evlimit *l, uint64_t now, bool all);

#endif
