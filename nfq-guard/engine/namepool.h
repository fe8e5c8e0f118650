/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * namepool.h - the learned names' strings, each kept once however many
 * (device, address) entries hold it (a CDN name serves many addresses,
 * a vendor's cloud name many cameras), counted by reference.  An open
 * addressed table of pointers (linear probing, keyed hashes: the names
 * come from the devices), grown as it fills.  Not thread-safe: its owner's
 * lock covers it.
 */
#ifndef NFQG_NAMEPOOL_H
#define NFQG_NAMEPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"
#include "base/siphash.h"

struct pooled_name {
	uint32_t refs;
	uint32_t hash;
	uint8_t len; /* NAME_MAX_LEN fits */
	char s[];    /* len bytes, no NUL */
};

struct name_pool {
	struct pooled_name **slot; /* NULL: empty */
	size_t mask;		   /* slots - 1; slot is NULL while none is held */
	size_t count;
	const uint8_t *key; /* SIPHASH_KEY_LEN bytes, the owner's */
};

/* name_pool_init - an empty pool hashing with key (kept by the caller). */
void name_pool_init(struct name_pool *p, const uint8_t *key);
/* name_pool_fini - free the table; every name must have been put back. */
void name_pool_fini(struct name_pool *p);

/* name_pool_get - n's string, one more reference to it; NULL without memory. */
struct pooled_name *name_pool_get(struct name_pool *p, const struct name *n);
/* name_pool_put - one reference less; the string goes with its last one. */
void name_pool_put(struct name_pool *p, struct pooled_name *pn);

/* pooled_name_copy - the string as a struct name. */
void pooled_name_copy(const struct pooled_name *pn, struct name *out);

#endif
