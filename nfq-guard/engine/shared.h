/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shared.h - what several queues' engines share (device addresses seen,
 * names learned), behind its one lock; for engine.c only.
 */
#ifndef NFQG_ENGINE_SHARED_H
#define NFQG_ENGINE_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/dns.h"
#include "engine/engine.h"
#include "engine/names.h"

/*
 * shared_seen_add - remember (family, addr) as a device's address, sent
 * from mac (NULL: not known).  Returns true when the bound pushed out an
 * older one.
 */
bool shared_seen_add(struct engine_shared *sh, uint8_t family, const uint8_t *addr,
		     const uint8_t *mac);

/*
 * shared_doubt, shared_doubted - a DNS answer to the device at (family,
 * addr) could not be read: until `until` (ms), what it looked up is not
 * known, and its flows with no name at all have an unknown one (engine.c).
 */
void shared_doubt(struct engine_shared *sh, uint8_t family, const uint8_t *addr, uint64_t until);
bool shared_doubted(struct engine_shared *sh, uint8_t family, const uint8_t *addr, uint64_t now);

/* shared_seen_has - has (family, addr) been seen as a device's address? */
bool shared_seen_has(struct engine_shared *sh, uint8_t family, const uint8_t *addr);

/*
 * shared_learn - names_learn() on the shared cache, for the device at
 * (family, dev): its MAC when that address was last seen sending from one.
 * w is the caller's scratch: the message's links are followed without the
 * lock, and its addresses learned a few hundred at a time.
 */
void shared_learn(struct engine_shared *sh, struct way *w, uint8_t family, const uint8_t dev[16],
		  const struct dns_msg *msg, uint64_t now);

/*
 * shared_lookup - the names device dev learned for server address srv of
 * family: by its MAC (when it has one), then by its address, each name
 * once; copied into out (the cache may change once the lock is let go).
 * Returns how many, at most max.
 */
size_t shared_lookup(struct engine_shared *sh, const struct device_key *dev, uint8_t family,
		     const uint8_t srv[16], uint64_t now, struct name *out, size_t max);

/* shared_found - what the device with dev's MAC showed by its behaviour, into dev (none: kept). */
void shared_found(struct engine_shared *sh, struct device_key *dev);

/* shared_names_stats - the name cache's counters, read without the lock (one engine). */
const struct names_stats *shared_names_stats(const struct engine_shared *sh);

#endif
