/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * learnset.h - what `nfq-guard learn` gathers from decisions: per device
 * (its MAC, else its source address) the destinations it tried (address,
 * protocol, port) with their flows, first and last seen, names and
 * verdicts.  Pure: decisions come in as plain structs, nothing is read or
 * printed here, and every table has a bound; what a bound turns away is
 * counted.  Every string kept is escaped first (learn_escape), so nothing
 * the input carried reaches a terminal or a policy file as it came.
 */
#ifndef NFQG_LEARNSET_H
#define NFQG_LEARNSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

#define LEARN_MAX_DEVICES 4096
#define LEARN_MAX_DESTS 4096		 /* per device */
#define LEARN_MAX_DESTS_ALL (1u << 18)	 /* over all devices */
#define LEARN_MAX_STRINGS (1u << 16)	 /* distinct names, labels, groups and rules */
#define LEARN_STR_MAX 256		 /* bytes of one escaped string, its NUL included */
#define LEARN_DEST_NAMES 4		 /* distinct names kept per destination */
#define LEARN_NONE UINT32_MAX		 /* no string */
#define LEARN_PROTO_NONE (-1)		 /* protocol not read */
#define LEARN_PORT_NONE (-1)		 /* no port (not TCP or UDP, or not read) */
#define LEARN_COUNT_MAX (UINT64_MAX / 2) /* sums stop here */

/* Bytes from the input (need not end in NUL, may hold NULs); s NULL for none. */
struct learn_bytes {
	const char *s;
	size_t len;
};

/* One decision, or a line of the event log that sums up several alike. */
struct learn_flow {
	uint64_t ts_us; /* when, microseconds since the epoch */
	/*
	 * The decisions it stands for, at least 1: an event line with
	 * "repeated": N sums up N of one device, rule and action, of which
	 * only the last (the line itself) is known to have gone to dst.
	 */
	uint64_t count;
	bool has_mac; /* the device: its MAC, */
	uint8_t mac[6];
	uint8_t src_family; /* else its address (0: none read) */
	uint8_t src[16];
	struct learn_bytes group, label, rule, name; /* rule: "default" for the default */
	uint8_t family;				     /* of dst; 0: no address read */
	uint8_t dst[16];
	int proto; /* IP protocol number, or LEARN_PROTO_NONE */
	int dport; /* or LEARN_PORT_NONE */
	enum action action;
};

/* A destination of one device: (address, protocol, port). */
struct learn_dest {
	uint32_t device; /* index of its device (learn_device_at) */
	uint8_t family;	 /* 0: no address read */
	uint8_t dst[16];
	int16_t proto;
	int32_t dport;
	uint64_t flows;	       /* known to have gone here: a lower bound */
	uint64_t summarised;   /* up to this many more: held back with a flow that went here */
	uint64_t by_action[4]; /* flows by enum action */
	uint64_t first_us, last_us;
	uint32_t names[LEARN_DEST_NAMES]; /* distinct names, the first seen first */
	uint8_t nnames;
	bool more_names;     /* more distinct names came than are kept */
	uint32_t last_name;  /* the name of the latest flow that had one */
	uint32_t last_rule;  /* the rule of the latest flow */
	uint32_t blocked_by; /* the latest named rule (not the default) that dropped or rejected */
	uint64_t name_us, rule_us, blocked_us; /* when those were seen */
};

struct learn_device {
	bool has_mac;
	uint8_t mac[6];
	uint8_t family; /* without a MAC: its address (0: none read) */
	uint8_t addr[16];
	uint32_t group, label; /* of its latest flow that had one */
	uint64_t group_us, label_us;
	uint64_t flows; /* every decision, summed up ones too */
	uint64_t first_us, last_us;
	uint32_t ndests;
	uint64_t dests_cut; /* flows to destinations past the bounds */
	size_t dest0;	    /* learn_sort: where its destinations start */
};

struct learn_totals {
	uint64_t flows;	      /* flows added (counts summed), kept or cut */
	uint64_t devices_cut; /* flows of devices past LEARN_MAX_DEVICES */
	uint64_t dests_cut;   /* flows to destinations past the bounds */
	uint64_t strings_cut; /* strings not kept past LEARN_MAX_STRINGS */
};

struct learn;

/* learn_new - an empty set; key seeds its hash tables (NULL: a fixed one, for tests). */
struct learn *learn_new(const uint8_t key[16]);
void learn_free(struct learn *l);

enum learn_added {
	LEARN_ADDED = 0,
	LEARN_CUT_DEVICE, /* a new device past LEARN_MAX_DEVICES: counted only */
	LEARN_CUT_DEST,	  /* a new destination past the bounds: counted for its device */
	LEARN_NOMEM,
};

/* learn_add - count flow f in its device and destination, new ones made as the bounds allow. */
enum learn_added learn_add(struct learn *l, const struct learn_flow *f);

/*
 * learn_sort - put the devices in order (by MAC, then the devices without
 * one by address) and each one's destinations (by family, address,
 * protocol, port).  0 or -ENOMEM.  Needed before learn_device and
 * learn_dest; a learn_add after it needs another.
 */
int learn_sort(struct learn *l);

size_t learn_ndevices(const struct learn *l);
/* The i-th device in sorted order, and the j-th of its destinations (j < ndests). */
const struct learn_device *learn_device(const struct learn *l, size_t i);
const struct learn_dest *learn_dest(const struct learn *l, const struct learn_device *d, size_t j);
/* A device by its index (learn_dest's device), in no order. */
const struct learn_device *learn_device_at(const struct learn *l, uint32_t idx);

/* The escaped string id stands for, NULL for LEARN_NONE. */
const char *learn_str(const struct learn *l, uint32_t id);
const struct learn_totals *learn_totals(const struct learn *l);

#define LEARN_ESC_SPACE 0x1 /* keep spaces (labels): else written \x20 */

/*
 * learn_escape - write the n bytes at s into out (outsz bytes, at least 4)
 * as text that is safe in a terminal, a JSON string after json_str, and a
 * policy comment: bytes 0x21-0x7e as they are, every other byte as \xHH,
 * and also '"' and a '*' before '/' (so that no comment or string of the
 * policy ends), with the escapes nfq-guard itself writes (\\ and \xHH)
 * kept as they are, so that a name the daemon escaped is not escaped
 * twice.  A string that does not fit is cut between escapes and ends in
 * "...".  Returns the length written; out always ends in NUL.
 */
size_t learn_escape(const char *s, size_t n, unsigned int flags, char *out, size_t outsz);

#endif
