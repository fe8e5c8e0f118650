/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * found.h - the devices found by their behaviour (policy key identify):
 * what each showed, kept for `nfq-guard devices`, the event log and the
 * state file.  The daemon's main thread alone reads and writes the list.
 */
#ifndef NFQG_FOUND_H
#define NFQG_FOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/discovery.h"
#include "policy/policy.h"

#define FOUND_DETAIL_MAX 160

/* One device found: its MAC, how, and the evidence (printable text: escaped where read). */
struct found_rec {
	uint8_t mac[6];
	enum found_by by;
	char vendor[FOUND_VENDOR_MAX]; /* the vendor its behaviour showed: groups match it */
	char model[DISC_FIELD_MAX];
	char firmware[DISC_FIELD_MAX];
	char serial[DISC_FIELD_MAX];
	char detail[FOUND_DETAIL_MAX]; /* what else showed it: the DHCP options, DNS names */
	uint8_t family;		       /* the address it was seen at (0: none) */
	uint8_t addr[16];
	uint64_t first_seen; /* s, wall clock */
};

struct found_list {
	struct found_rec *v;
	size_t n, cap;
	uint8_t (*macs)[6]; /* v's MACs, for the kernel set (nft_config's found) */
	uint64_t refused;   /* found while the list held limits.found */
};

/* found_find - the entry of mac, or NULL. */
struct found_rec *found_find(struct found_list *l, const uint8_t mac[6]);
/* found_push - a copy of rec appended (its MAC not in l): 0 or -ENOMEM. */
int found_push(struct found_list *l, const struct found_rec *rec);
void found_list_free(struct found_list *l);
/*
 * found_naming_group - the group that names the device of f under p (as a
 * flow of it would be named), how it matched in how (POLICY_MAX_DEVICES
 * entries); -1 for none.
 */
int found_naming_group(const struct policy *p, const struct found_rec *f, struct group_match *how);

#endif
