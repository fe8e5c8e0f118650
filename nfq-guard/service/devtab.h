/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devtab.h - the devices the daemon has decided flows for (`nfq-guard
 * devices`): MAC, addresses, group and how it matched, first and last
 * seen, flows allowed and blocked.  Keyed by MAC (by address for a device
 * seen without one); bounded, least recently seen evicted.  Entries hold
 * copies, not pointers into a policy, so they survive a reload.
 * Thread-safe.
 */
#ifndef NFQG_DEVTAB_H
#define NFQG_DEVTAB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "base/lru.h"
#include "service/found.h"

#define DEVTAB_ADDRS 4 /* addresses kept per device, the latest */

struct devtab {
	pthread_mutex_t lock;
	struct lru_table t;
	uint64_t evicted;
};

int devtab_init(struct devtab *dt, size_t max);
void devtab_fini(struct devtab *dt);
/* devtab_bound - at most max devices (limits.devices of a new policy): the least recently seen go. */
void devtab_bound(struct devtab *dt, size_t max);

/*
 * devtab_note - a flow of the device (MAC mac if has_mac; source address
 * family/addr) was decided: d, blocked or not, at wall-clock time now (s).
 */
void devtab_note(struct devtab *dt, const struct policy *p, bool has_mac, const uint8_t mac[6],
		 uint8_t family, const uint8_t addr[16], const struct decision *d, bool blocked,
		 uint64_t now);

/*
 * devtab_found - the device of rec was found by its behaviour (at time
 * now, s): its evidence kept, and the group it falls in under p shown,
 * before any flow of it is decided.
 */
void devtab_found(struct devtab *dt, const struct policy *p, const struct found_rec *rec,
		  uint64_t now);

enum devtab_style {
	DEVTAB_TEXT,  /* a few lines per device */
	DEVTAB_BRIEF, /* one line: MAC, group, flows allowed / blocked */
	DEVTAB_JSON,  /* one object {"devices":[...],"evicted":N}, no newline */
};

/* devtab_print - every device, most recently seen first. */
void devtab_print(struct devtab *dt, FILE *f, enum devtab_style style);

size_t devtab_count(struct devtab *dt);

#endif
